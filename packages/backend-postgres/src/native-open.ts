import { IgniterError } from '@igniter/core';
import type { FactParts, PreloadedFactLoader } from '@igniter/core/storage';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BinaryCopyRows, type CopyRow, rowPayloadBytes } from './copy-rows.js';
import { copyFactsAfter } from './fact-rows.js';
import { FACT_COLUMNS, type SchemaNames } from './layout.js';

/** Facts of one store loaded by one step of a native open, and the highest seq loaded so far. */
export type LoadedRows = (store: string, facts: number, bytes: number, maxSeq: number) => void;

/** COPY bytes handed to the native log per call: few crossings, and a row cut by a chunk is joined once. */
const COPY_BATCH_BYTES = 1 << 20;

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
 * Hands COPY bytes to the native log, which parses the rows in Rust (`loadCopyRows`), in
 * batches of about {@link COPY_BATCH_BYTES}; the bytes of a row cut at a batch's end start the
 * next one.
 */
class CopyBatches {
  readonly #loader: PreloadedFactLoader;
  readonly #onRows: LoadedRows;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #header = true;
  #ended = false;

  constructor(loader: PreloadedFactLoader, onRows: LoadedRows) {
    this.#loader = loader;
    this.#onRows = onRows;
  }

  push(chunk: Buffer): void {
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    if (this.#batchBytes >= COPY_BATCH_BYTES) this.#load();
  }

  /** Loads the rest; throws `ERR_CORRUPT_LOG` unless the stream ended with its trailer. */
  finish(): void {
    this.#load();
    if (!this.#ended || this.#batchBytes > 0)
      throw new IgniterError('ERR_CORRUPT_LOG', 'the binary COPY stream ended without its trailer');
  }

  #load(): void {
    if (this.#batchBytes === 0) return;
    const bytes = this.#batch.length === 1 ? (this.#batch[0] as Buffer) : Buffer.concat(this.#batch);
    // The loader exists only for an addon that has loadCopyRows (see loadRowsNative).
    const result = this.#loader.loadCopyRows(bytes, this.#header);
    if (!result) throw new IgniterError('ERR_INTERNAL', 'the native addon lost loadCopyRows');
    if (result.consumed > 0) this.#header = false;
    this.#ended = result.ended;
    const rest = bytes.subarray(result.consumed);
    this.#batch = rest.length > 0 ? [rest] : [];
    this.#batchBytes = rest.length;
    for (let i = 0; i < result.tallyStores.length; i++) {
      const store = result.tallyStores[i] as string;
      this.#onRows(store, result.tallyFacts[i] as number, result.tallyBytes[i] as number, result.maxSeq);
    }
  }
}

/**
 * Reads every fact of the table into `loader`'s native log, which the store's engine will adopt,
 * with one binary COPY, without building a fact object in JS. With an addon that parses COPY
 * bytes itself (`loadCopyRows`), the bytes go to Rust as they come off the socket and no row
 * becomes a JS string; with an older one, each row's fields go to the boundary as text. Calls
 * `onRows` with what was loaded per store, and returns the COPY chunks, which stay the only JS
 * copy of the facts until something needs them as objects. Throws what the log's loading
 * throws (`ERR_CORRUPT_LOG`, `ERR_INVALID_VALUE`) and the driver's error. Cost: one pass over
 * the rows.
 */
export async function loadRowsNative(
  client: pg.Client,
  names: SchemaNames,
  loader: PreloadedFactLoader,
  onRows: LoadedRows,
): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(copyFactsAfter(names.facts, 0)));
  // An empty piece loads nothing; it tells whether the addon parses COPY bytes itself.
  if (loader.loadCopyRows(Buffer.alloc(0), true)) {
    const batches = new CopyBatches(loader, onRows);
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      batches.push(chunk as Buffer);
    }
    batches.finish();
    return chunks;
  }
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
