import type { Fact } from '../fact.js';
import type { EngineChoice } from './engine-choice.js';
import { toBoundaryText } from './json-text.js';
import { LOAD_BATCH_FACTS, LOAD_FACT_STRIDE, type NativeCopyLoad } from './native-binding.js';
import { type CopyOutLoad, PreloadedLog } from './preloaded-log.js';
import type { PreloadedFacts } from './types.js';

/**
 * One stored fact as text and numbers, as a backend reads it from a store that keeps fields
 * apart (PostgreSQL rows): the value, producer and derivation stay JSON text, never decoded.
 */
export interface FactParts {
  seq: number;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
  id: string;
  valueHash: string;
  store: string;
  key: string;
  valueJson: string;
  causation: string | null;
  producerJson: string | null;
  derivationJson: string | null;
  idempotencyKey: string | null;
}

/**
 * Fills a {@link PreloadedLog} from facts given as {@link FactParts}, in seq order, one
 * boundary crossing per 1024 facts, no fact object built in JS. Call `finish()` after the last.
 * Throws what `PreloadedLog.loadBatch` throws. Cost: the text parts joined once per batch.
 */
export class PreloadedFactLoader {
  readonly #log: PreloadedLog;
  readonly #numbers = new Float64Array(LOAD_BATCH_FACTS * LOAD_FACT_STRIDE);
  readonly #parts: string[] = [];
  #count = 0;

  constructor(log: PreloadedLog) {
    this.#log = log;
  }

  /**
   * A loader into a new native log when the engine `engine` resolves to (`IGNITER_ENGINE`
   * included for 'auto') is the native one and the addon loads; else undefined. Throws
   * `ERR_INVALID_ARGUMENT` for a bad `IGNITER_ENGINE`. Cost: loads the addon once per process.
   */
  static forEngine(engine: EngineChoice): PreloadedFactLoader | undefined {
    const log = PreloadedLog.forEngine(engine);
    return log && new PreloadedFactLoader(log);
  }

  /** The log filled so far, for the native engine to adopt (call `finish()` first). */
  get preloaded(): PreloadedFacts {
    return this.#log;
  }

  /** Queues one fact (its fields are copied out: `parts` may be reused). */
  add(parts: FactParts): void {
    const numbers = this.#numbers;
    const n = this.#count * LOAD_FACT_STRIDE;
    numbers[n] = parts.seq;
    numbers[n + 1] = parts.transactionTime;
    numbers[n + 2] = parts.validTime ?? Number.NaN;
    numbers[n + 3] = parts.schemaVersion;
    numbers[n + 4] = this.#part(parts.id);
    numbers[n + 5] = this.#part(parts.valueHash);
    numbers[n + 6] = this.#part(parts.store);
    numbers[n + 7] = this.#part(parts.key);
    numbers[n + 8] = this.#part(parts.valueJson);
    numbers[n + 9] = this.#part(toBoundaryText(parts.causation));
    numbers[n + 10] = this.#part(parts.producerJson);
    numbers[n + 11] = this.#part(parts.derivationJson);
    numbers[n + 12] = this.#part(toBoundaryText(parts.idempotencyKey));
    this.#count += 1;
    if (this.#count === LOAD_BATCH_FACTS) this.finish();
  }

  /**
   * Loads the whole rows at the start of `bytes`, a piece of the PostgreSQL backend's binary
   * COPY of its fact columns, straight into the log after what `add` queued (see
   * `PreloadedLog.loadCopyRows`); undefined when the addon predates it (use `add`). Throws as
   * `PreloadedLog.loadCopyRows`.
   */
  loadCopyRows(bytes: Uint8Array, header: boolean): NativeCopyLoad | undefined {
    this.finish();
    return this.#log.loadCopyRows(bytes, header);
  }

  /**
   * Starts loading a binary COPY of the PostgreSQL backend's fact columns off the wire into
   * the log, after what `add` queued, on a worker thread (see `PreloadedLog.startCopyLoad`);
   * undefined when the addon predates it. Throws as `PreloadedLog.loadBatch`.
   */
  startCopyLoad(): CopyOutLoad | undefined {
    this.finish();
    return this.#log.startCopyLoad();
  }

  /** Loads what is queued. */
  finish(): void {
    if (this.#count === 0) return;
    const count = this.#count;
    const text = this.#parts.join('');
    this.#parts.length = 0;
    this.#count = 0;
    this.#log.loadBatch(text, this.#numbers.subarray(0, count * LOAD_FACT_STRIDE));
  }

  #part(text: string | null): number {
    if (text === null) return -1;
    this.#parts.push(text);
    return text.length;
  }
}

/** The parts of a fact object, for a {@link PreloadedFactLoader}. */
export function factParts(fact: Fact): FactParts {
  return {
    seq: fact.seq,
    transactionTime: fact.transactionTime,
    validTime: fact.validTime,
    schemaVersion: fact.schemaVersion,
    id: fact.id,
    valueHash: fact.valueHash,
    store: fact.store,
    key: fact.key,
    valueJson: JSON.stringify(fact.value),
    causation: fact.causation,
    producerJson: fact.producer === null ? null : JSON.stringify(fact.producer),
    derivationJson: fact.derivation === null ? null : JSON.stringify(fact.derivation),
    idempotencyKey: fact.idempotencyKey,
  };
}
