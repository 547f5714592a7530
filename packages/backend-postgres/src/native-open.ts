import type { FactParts, PreloadedFactLoader } from '@igniter/core/storage';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { NativeCopyOut } from './copy-out.js';
import { BinaryCopyRows, type CopyRow, rowPayloadBytes } from './copy-rows.js';
import { copyFactsAfter } from './fact-rows.js';
import { FACT_COLUMNS, type SchemaNames } from './layout.js';

/** Facts of one store loaded by one step of a native open, and the highest seq loaded so far. */
export type LoadedRows = (store: string, facts: number, bytes: number, maxSeq: number) => void;

function text(row: CopyRow, i: number): string | null {
  const start = row.starts[i] as number;
  return start === -1 ? null : row.buf.toString('utf8', start, row.ends[i]);
}

/** Fills `parts` from one row of `FACT_COLUMNS` (a NULL where a fact has none reads as a bad field). */
function readParts(row: CopyRow, parts: FactParts): void {
  const { buf, starts } = row;
  const at = (i: number) => starts[i] as number;
  parts.seq = buf.readInt32BE(at(0)) * 2 ** 32 + buf.readUInt32BE(at(0) + 4);
  parts.id = text(row, 1) as string;
  parts.store = text(row, 2) as string;
  parts.key = text(row, 3) as string;
  parts.valueJson = text(row, 4) as string;
  parts.valueHash = text(row, 5) as string;
  parts.causation = text(row, 6);
  parts.transactionTime = buf.readDoubleBE(at(7));
  parts.validTime = at(8) === -1 ? null : buf.readDoubleBE(at(8));
  parts.schemaVersion = buf.readInt32BE(at(9));
  parts.producerJson = text(row, 10);
  parts.derivationJson = text(row, 11);
  parts.idempotencyKey = text(row, 12);
}

/**
 * Reads every fact of the table into `loader`'s native log, which the store's engine will adopt,
 * with one binary COPY, without building a fact object in JS. With an addon that loads COPY
 * bytes itself (`startCopyLoad`), the connection's bytes go to Rust as they come off the
 * socket ({@link NativeCopyOut}), and a worker thread parses and loads the rows while
 * PostgreSQL still sends them: no JS object per row. With an older addon, each row's fields go
 * to the boundary as text. Calls `onRows` with what was loaded per store, and returns the
 * COPY's bytes, which stay the only JS copy of the facts until something needs them as
 * objects. Throws what the log's loading throws (`ERR_CORRUPT_LOG`, `ERR_INVALID_VALUE`) and
 * the driver's error. Cost: one pass over the rows.
 */
export async function loadRowsNative(
  client: pg.Client,
  names: SchemaNames,
  loader: PreloadedFactLoader,
  onRows: LoadedRows,
): Promise<Buffer[]> {
  const load = loader.startCopyLoad();
  if (load) {
    const copy = new NativeCopyOut(copyFactsAfter(names.facts, 0), load);
    client.query(copy);
    try {
      await copy.done;
    } catch (error) {
      // The rows loaded so far are moot; finishing ends the worker and frees the log now.
      try {
        load.finish();
      } catch {
        // The query's error is the one to report.
      }
      throw error;
    }
    const result = load.finish();
    for (let i = 0; i < result.tallyStores.length; i++) {
      const store = result.tallyStores[i] as string;
      onRows(store, result.tallyFacts[i] as number, result.tallyBytes[i] as number, result.maxSeq);
    }
    return (result.bytes ?? []) as Buffer[];
  }
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(copyFactsAfter(names.facts, 0)));
  const rows = new BinaryCopyRows(FACT_COLUMNS.length);
  const parts = {} as FactParts;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    rows.push(chunk as Buffer, (row) => {
      readParts(row, parts);
      loader.add(parts);
      onRows(parts.store, 1, rowPayloadBytes(row), parts.seq);
    });
  }
  rows.finish();
  loader.finish();
  return chunks;
}
