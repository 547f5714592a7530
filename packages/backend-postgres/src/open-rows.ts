import type { EngineChoice, EngineKind, Fact, PreloadedFacts } from '@igniter/core';
import { PreloadedFactLoader } from '@igniter/core/storage';
import type pg from 'pg';
import { streamRows } from './connection.js';
import { CopyLazyFacts } from './copy-lazy-facts.js';
import { BinaryCopyRows } from './copy-rows.js';
import { factFromRow } from './fact-rows.js';
import { FACT_COLUMNS, readLayout, type SchemaNames } from './layout.js';
import { loadRowsNative } from './native-open.js';
import type { StoreTally } from './store-tally.js';

/**
 * What a writer's open read, with one binary COPY in one repeatable-read transaction, kept
 * undecoded until something needs the facts as objects: for the native engine, a native log
 * filled in Rust plus the COPY bytes; for the TS engine, {@link CopyLazyFacts} over those bytes.
 * Either way no fact object is built at open. Each row is counted in `tally` as it is read.
 */
export class OpenedRows {
  /** Facts read. */
  readonly count: number;
  /** The highest seq ever committed (the layout's high water, or the highest row's). */
  readonly highWater: number;
  #preloaded: PreloadedFacts | undefined;
  #chunks: Buffer[] | undefined;
  #lazy: CopyLazyFacts | undefined;

  private constructor(count: number, highWater: number) {
    this.count = count;
    this.highWater = highWater;
  }

  /**
   * Reads every fact of the table. Throws `ERR_CORRUPT_LOG` for a stream or row the native log
   * refuses, `ERR_INVALID_VALUE` for JSON it refuses, and the driver's error.
   * Cost: one pass over the rows; the COPY bytes stay in memory.
   */
  static async read(
    client: pg.Client,
    names: SchemaNames,
    engine: EngineChoice,
    tally: StoreTally,
  ): Promise<OpenedRows> {
    const native = PreloadedFactLoader.forEngine(engine);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const layout = await readLayout(client, names);
      let count = 0;
      let highWater = layout.lastSeq;
      let opened: OpenedRows;
      if (native) {
        const chunks = await loadRowsNative(client, names, native, (store, facts, bytes, maxSeq) => {
          count += facts;
          tally.add(store, bytes, facts);
          highWater = Math.max(highWater, maxSeq);
        });
        opened = new OpenedRows(count, highWater);
        opened.#chunks = chunks;
        opened.#preloaded = native.preloaded;
      } else {
        const lazy = new CopyLazyFacts();
        await streamRows(client, names, 0, (row) => {
          const seq = lazy.add(row);
          if (seq > highWater) highWater = seq;
        });
        for (const { store, facts, bytes } of lazy.storeCounts()) tally.add(store, bytes, facts);
        opened = new OpenedRows(lazy.count, highWater);
        opened.#lazy = lazy;
        opened.#preloaded = lazy;
      }
      await client.query('COMMIT');
      return opened;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** The log read for `engine`'s kind, once; undefined for the other kind and afterwards. */
  takePreloaded(engine?: EngineKind): PreloadedFacts | undefined {
    const preloaded = this.#preloaded;
    this.#preloaded = undefined;
    return preloaded && (engine === undefined || preloaded.engine === engine) ? preloaded : undefined;
  }

  /**
   * Every fact read, as objects, in seq order (rows the engine since forgot included: the
   * backend still has to delete them). Call once. Throws `ERR_CORRUPT_LOG` for a row that is
   * not a fact. Cost: decodes every row not decoded yet.
   */
  facts(): Fact[] {
    const opened: Fact[] = [];
    const lazy = this.#lazy;
    if (lazy) {
      for (let i = 0; i < lazy.count; i++) opened.push(lazy.fact(i));
      lazy.release();
    }
    const rows = new BinaryCopyRows(FACT_COLUMNS.length);
    for (const chunk of this.#chunks ?? []) rows.push(chunk, (row) => opened.push(factFromRow(row)));
    this.#lazy = undefined;
    this.#chunks = undefined;
    return opened;
  }
}
