import { createInterface } from 'node:readline';
import type { IgniterStore, WriteInput } from '@igniter/core';
import { EXIT, ReportedFailure } from '../cli-io.js';
import type { Command } from '../command.js';
import { openStore } from '../open-store.js';
import { Progress } from '../progress.js';

/** Facts per `writeMany`: a batch commits whole or not at all. */
const BATCH = 1000;

/** Fields written as given. */
const WRITTEN = new Set([
  'store',
  'key',
  'value',
  'validTime',
  'schemaVersion',
  'producer',
  'derivation',
  'idempotencyKey',
]);
/** Fields of an exported fact that the new store assigns itself (ids, seqs, times, causation links). */
const ASSIGNED = new Set(['id', 'seq', 'valueHash', 'transactionTime', 'causation']);

/** One NDJSON line as a write; throws a message naming the line. */
function writeOf(line: string, lineNumber: number): WriteInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ReportedFailure(`line ${lineNumber}: not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ReportedFailure(`line ${lineNumber}: not a JSON object`);
  }
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(parsed)) {
    if (WRITTEN.has(field)) {
      // An exported fact has null for absent options; a write takes them absent.
      if (value !== null || field === 'value') input[field] = value;
    } else if (!ASSIGNED.has(field)) {
      throw new ReportedFailure(`line ${lineNumber}: unknown field "${field}"`);
    }
  }
  return input as unknown as WriteInput;
}

async function commit(store: IgniterStore, batch: WriteInput[], firstLine: number): Promise<void> {
  try {
    store.writeMany(batch);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ReportedFailure(
      `lines ${firstLine}-${firstLine + batch.length - 1}: ${String(code ?? 'error')}: ${(error as Error).message} (this batch was not written)`,
    );
  }
  await store.flush();
}

/** `igniter import`: NDJSON from stdin, written in atomic batches of 1000. */
export const importFacts: Command = {
  name: 'import',
  summary: 'write NDJSON facts from stdin into a store (atomic per 1000 lines)',
  usage: 'igniter import <path> < facts.ndjson',
  help: [
    'Each line is a JSON object with store, key, value and optionally validTime, schemaVersion,',
    'producer, derivation, idempotencyKey: what `igniter export` prints (its id, seq, valueHash,',
    'transactionTime and causation are assigned anew by the store). Lines are written in batches',
    'of 1000, each all or nothing; on a bad line, the batches before it stay written and the exit',
    'code is 1. The store is created when missing.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  async run([path], _flags, io) {
    const { store } = openStore({ path: path as string });
    const progress = new Progress(io.stderr, 'imported');
    let written = 0;
    try {
      let batch: WriteInput[] = [];
      let batchStart = 1;
      let lineNumber = 0;
      for await (const line of createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
        lineNumber += 1;
        if (line.trim() === '') continue;
        if (batch.length === 0) batchStart = lineNumber;
        batch.push(writeOf(line, lineNumber));
        if (batch.length === BATCH) {
          await commit(store, batch, batchStart);
          written += batch.length;
          progress.tick(batch.length);
          batch = [];
        }
      }
      if (batch.length > 0) {
        await commit(store, batch, batchStart);
        written += batch.length;
      }
      progress.done();
      io.stdout.write(`imported ${written} facts\n`);
      return EXIT.ok;
    } catch (error) {
      progress.done();
      if (error instanceof ReportedFailure) io.stderr.write(`imported ${written} facts before the failure\n`);
      throw error;
    } finally {
      await store.close();
    }
  },
};
