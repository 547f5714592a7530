import { fromNativeError, IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import type { Json } from '../json.js';
import { DecodedValues } from './decoded-values.js';
import { FlatReads } from './flat-reads.js';
import { jsonText, toBoundaryText } from './json-text.js';
import {
  CAUSATION_LATEST,
  LOAD_BATCH_FACTS,
  LOAD_FACT_STRIDE,
  type NativeBinding,
  type NativeLogHandle,
  PACKED_FACT_GROUP,
  PACKED_FACT_STRIDE,
  STAGE_FRAME_FLAG,
  STAGE_NUMBERS,
} from './native-binding.js';
import { NativeFact, unpackFact, unpackFacts } from './native-fact.js';
import { type PreloadedLog, takePreloadedHandle } from './preloaded-log.js';
import {
  type AppendInput,
  DEFAULT_MAX_VALUE_BYTES,
  type Engine,
  type EngineKind,
  type EngineOptions,
  type FramedWal,
  type PreloadedFacts,
  type StoreCounts,
  type TimeBounds,
} from './types.js';

/** Length of the id and of the value hash at the start of `stage`'s result. */
const ID_LENGTH = 36;
const HASH_END = ID_LENGTH + 64;
/** Facts whose numbers fit the reusable array; larger results bring their own. */
const SCRATCH_FACTS = PACKED_FACT_GROUP;

function nullable(value: number | undefined): number | null {
  return value === undefined ? null : value;
}

/**
 * The engine backed by the napi-rs addon (ARCHITECTURE.md D9). The fact log lives in Rust
 * (`igniter-log`): records, canonical JSON payloads and indexes stay off the V8 heap, and the
 * value is hashed in the same call that appends it. Each operation crosses the boundary once,
 * with strings and numbers; facts come back packed and are decoded lazily (see `NativeFact`).
 */
export class NativeEngine implements Engine {
  readonly kind: EngineKind = 'native';
  readonly memoizesValues = true;
  readonly version: string;
  readonly #binding: NativeBinding;
  #log: NativeLogHandle;
  readonly #maxValueBytes: number;
  /** Reused for the numbers of every `stage` call. */
  readonly #stageNumbers = new Float64Array(STAGE_NUMBERS + 2);
  /** The data file writer this log frames committed facts into (see `attachWal`). */
  #wal: FramedWal | undefined;
  /** Reused for the numbers of every packed result that fits. */
  readonly #scratch = new Float64Array(1 + SCRATCH_FACTS * PACKED_FACT_STRIDE);
  /** Mirror of the log's last seq, so the store's per-write `lastSeq()` does not cross. */
  #lastSeq = 0;
  readonly #storeNames: string[] = [];
  /** Values that reads as of a time decoded, by slot; Rust knows which it handed over. */
  readonly #decoded = new DecodedValues();
  /** The value reads' `out` and the decoding of the flat objects the log reads into it. */
  readonly #flat = new FlatReads();
  readonly #storeName = (index: number): string => this.#storeNameOf(index);

  constructor(binding: NativeBinding, options: EngineOptions = {}) {
    this.#binding = binding;
    this.version = binding.crateVersion();
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#log = new binding.NativeLog(this.#maxValueBytes);
  }

  canonicalJson(value: unknown): string {
    const text = jsonText(value);
    return this.#call(() => this.#binding.canonicalJson(text));
  }

  valueHash(value: unknown): string {
    const text = jsonText(value);
    return this.#call(() => this.#binding.valueHash(text));
  }

  sha256Hex(text: string): string {
    return this.#binding.sha256Hex(text);
  }

  append(inputs: readonly AppendInput[], framed = true): Fact[] {
    const count = inputs.length;
    const facts: Fact[] = new Array(count);
    let seq = this.#lastSeq;
    const wal = framed ? this.#wal : undefined;
    const n = this.#stageNumbers;
    n[STAGE_FRAME_FLAG] = wal ? 1 : 0;
    // Frame lengths of a batch of more than one fact, handed to the writer once it committed.
    const frameBytes: number[] | undefined = wal && count > 1 ? [] : undefined;
    try {
      for (let i = 0; i < count; i++) {
        const input = inputs[i] as AppendInput;
        const json = jsonText(input.value);
        this.#checkSize(json, input);
        n[STAGE_FRAME_FLAG + 1] = -1;
        const text = this.#stage(input, json, i === count - 1);
        frameBytes?.push(n[STAGE_FRAME_FLAG + 1] as number);
        seq += 1;
        // A linked causation comes back after the hash, its length in the numbers.
        const linked = input.causeLatest === true ? (this.#stageNumbers[7] as number) : -1;
        const valueStart = HASH_END + Math.max(0, linked);
        facts[i] = new NativeFact(
          text.slice(0, ID_LENGTH),
          seq,
          input.store,
          input.key,
          text.slice(ID_LENGTH, HASH_END),
          input.causeLatest === true
            ? linked < 0
              ? null
              : text.slice(HASH_END, valueStart)
            : input.causation,
          input.transactionTime,
          input.validTime,
          input.schemaVersion,
          input.producer,
          input.derivation,
          input.idempotencyKey,
          text,
          valueStart,
          text.length,
        );
      }
    } catch (error) {
      // Discarding renumbers nothing held, but slots of the discarded facts come again.
      this.#decoded.clear();
      this.#log.discard();
      throw fromNativeError(error);
    }
    this.#lastSeq = seq;
    if (wal) this.#noteFramed(wal, facts, frameBytes);
    return facts;
  }

  /**
   * Frames every fact appended from now on into `wal` in Rust, in the call that appends it
   * (the file backend's native write path); undefined detaches. Returns true.
   */
  attachWal(wal: FramedWal | undefined): boolean {
    this.#wal = wal;
    if (wal) this.#log.attachWal(wal.handle);
    else this.#log.detachWal();
    return true;
  }

  /**
   * Tells `wal` which of the facts just committed it already holds, with their frame lengths:
   * all of them, or none when Rust left any to JS (it then drops the batch's frames).
   */
  #noteFramed(wal: FramedWal, facts: Fact[], frameBytes: number[] | undefined): void {
    if (!frameBytes) {
      const bytes = this.#stageNumbers[STAGE_FRAME_FLAG + 1] as number;
      if (bytes >= 0) wal.framed(facts[0] as Fact, bytes);
      return;
    }
    if (frameBytes.some((bytes) => bytes < 0)) return;
    for (let i = 0; i < facts.length; i++) {
      const bytes = frameBytes[i] as number;
      if (bytes >= 0) wal.framed(facts[i] as Fact, bytes);
    }
  }

  truncateAfter(seq: number): void {
    this.#decoded.clear();
    this.#log.truncateAfter(seq);
    this.#lastSeq = seq;
  }

  load(facts: Iterable<Fact>): void {
    // Replayed facts cross in batches: one call per LOAD_BATCH_FACTS facts, not one per fact.
    const numbers = new Float64Array(LOAD_BATCH_FACTS * LOAD_FACT_STRIDE);
    const parts: string[] = [];
    let count = 0;
    const flush = (): void => {
      if (count === 0) return;
      try {
        this.#log.loadBatch(parts.join(''), numbers.subarray(0, count * LOAD_FACT_STRIDE));
      } finally {
        this.#lastSeq = this.#log.lastSeq();
        parts.length = 0;
        count = 0;
      }
    };
    const part = (text: string | null): number => {
      if (text === null) return -1;
      parts.push(text);
      return text.length;
    };
    try {
      for (const fact of facts) {
        const n = count * LOAD_FACT_STRIDE;
        numbers[n] = fact.seq;
        numbers[n + 1] = fact.transactionTime;
        numbers[n + 2] = fact.validTime ?? Number.NaN;
        numbers[n + 3] = fact.schemaVersion;
        numbers[n + 4] = part(fact.id);
        numbers[n + 5] = part(fact.valueHash);
        numbers[n + 6] = part(fact.store);
        numbers[n + 7] = part(fact.key);
        numbers[n + 8] = part(JSON.stringify(fact.value));
        numbers[n + 9] = part(toBoundaryText(fact.causation));
        numbers[n + 10] = part(fact.producer === null ? null : JSON.stringify(fact.producer));
        numbers[n + 11] = part(fact.derivation === null ? null : JSON.stringify(fact.derivation));
        numbers[n + 12] = part(toBoundaryText(fact.idempotencyKey));
        count += 1;
        if (count === LOAD_BATCH_FACTS) flush();
      }
    } catch (error) {
      // The facts read before a failure stay loaded, as one-by-one loading leaves them.
      try {
        flush();
      } catch {
        // The first failure is the one to report.
      }
      throw fromNativeError(error);
    }
    this.#call(flush);
  }

  adopt(preloaded: PreloadedFacts): boolean {
    if (preloaded.engine !== 'native') return false;
    if (this.#lastSeq !== 0 || this.#log.size() !== 0) return false;
    const log = takePreloadedHandle(preloaded as PreloadedLog, this.#binding);
    if (!log) return false;
    log.setMaxValueBytes(this.#maxValueBytes);
    this.#log = log;
    this.#decoded.clear();
    this.#flat.clear();
    if (this.#wal) log.attachWal(this.#wal.handle);
    this.#lastSeq = log.lastSeq();
    this.#storeNames.length = 0;
    return true;
  }

  remove(ids: Iterable<string>): Fact[] {
    const list = [...ids];
    if (list.length === 0) return [];
    // Removal renumbers the slots after the first removed fact (Rust forgets them too).
    this.#decoded.clear();
    return this.#unpack(this.#log.remove(list, this.#scratch));
  }

  advanceSeq(seq: number): void {
    this.#log.advanceSeq(seq);
    if (seq > this.#lastSeq) this.#lastSeq = seq;
  }

  latestFor(store: string, key: string, asOf?: number): Fact | undefined {
    const scratch = this.#scratch;
    scratch[0] = store.length;
    scratch[1] = asOf ?? Number.NaN;
    const text = this.#log.latestFor(store + key, scratch);
    return text === null ? undefined : unpackFact(text, 0, this.#scratch, 1, key, this.#storeName);
  }

  /**
   * The latest value is decoded afresh (the store's read cache keeps it, by key, and answers
   * a repeated read without crossing). A value as of a time is decoded once per fact: Rust
   * answers a read of a fact whose value this engine holds with its slot alone (no record
   * read, no string, no parse), so any time that picks the same fact gets the same frozen
   * object, and the store keeps no time-travel entry for it (`memoizesValues`). A flat
   * object's keys are checked and its numbers parsed by the log, in the same call
   * (`FlatReads`).
   */
  latestValue(store: string, key: string, asOf?: number): Json | undefined {
    if (asOf === undefined) {
      const text = this.#log.latestValue(store, key, Number.NaN, this.#flat.out);
      return text === null ? undefined : this.#flat.decode(text);
    }
    const answer = this.#log.readValue(store, key, asOf, this.#flat.out);
    if (answer === null) return undefined;
    if (typeof answer === 'number') {
      const held = this.#decoded.get(answer);
      if (held !== undefined) return held;
      // Never expected (both sides forget together); recover by asking for the text.
      this.#log.forgetValues();
      return this.latestValue(store, key, asOf);
    }
    const value = this.#flat.decode(answer);
    if (!this.#decoded.set(this.#flat.out[0] as number, value)) {
      // The cap emptied the memo: Rust forgets too, and learns of this one again next time.
      this.#log.forgetValues();
    }
    return value;
  }

  factsFor(store: string, key: string | undefined, bounds?: TimeBounds): Fact[] {
    const texts = this.#log.factsFor(
      store,
      key ?? null,
      nullable(bounds?.since),
      nullable(bounds?.asOf),
      this.#scratch,
    );
    return this.#unpack(texts, key);
  }

  keys(store: string): string[] {
    return this.#log.keys(store);
  }

  stores(): string[] {
    return this.#log.stores();
  }

  storeCounts(store: string): StoreCounts {
    const [factCount = 0, keyCount = 0] = this.#log.storeCounts(store);
    return { factCount, keyCount };
  }

  byId(id: string): Fact | undefined {
    const text = this.#log.byId(id, this.#scratch);
    return text === null ? undefined : unpackFact(text, 0, this.#scratch, 1, undefined, this.#storeName);
  }

  bySeqs(seqs: readonly number[]): Fact[] {
    if (seqs.length === 0) return [];
    return this.#unpack(this.#log.bySeqs(Float64Array.from(seqs), this.#scratch));
  }

  all(bounds?: TimeBounds): Fact[] {
    return this.#unpack(this.#log.all(nullable(bounds?.since), nullable(bounds?.asOf), this.#scratch));
  }

  last(): Fact | undefined {
    const text = this.#log.last(this.#scratch);
    return text === null ? undefined : unpackFact(text, 0, this.#scratch, 1, undefined, this.#storeName);
  }

  restorable(producerKind: string): Fact[] {
    // Rust narrows by the producer's text; the exact test of its kind is here.
    const candidates = this.#unpack(
      this.#log.restorable(`"kind":${JSON.stringify(producerKind)}`, this.#scratch),
    );
    return candidates.filter((f) => f.idempotencyKey !== null || f.producer?.kind === producerKind);
  }

  size(): number {
    return this.#log.size();
  }

  lastSeq(): number {
    return this.#lastSeq;
  }

  /** Stages one fact: its text parts in one string, its numbers in the reused array. */
  #stage(input: AppendInput, json: string, commit: boolean): string {
    const n = this.#stageNumbers;
    n[0] = input.transactionTime;
    n[1] = input.validTime ?? Number.NaN;
    n[2] = input.schemaVersion;
    n[3] = commit ? 1 : 0;
    n[4] = input.store.length;
    n[5] = input.key.length;
    n[6] = json.length;
    let text = input.store + input.key + json;
    const causation = input.causeLatest === true ? null : toBoundaryText(input.causation);
    const idempotencyKey = toBoundaryText(input.idempotencyKey);
    n[7] = input.causeLatest === true ? CAUSATION_LATEST : causation === null ? -1 : causation.length;
    if (causation !== null) text += causation;
    if (input.producer === null) n[8] = -1;
    else {
      const producer = JSON.stringify(input.producer);
      n[8] = producer.length;
      text += producer;
    }
    if (input.derivation === null) n[9] = -1;
    else {
      const derivation = JSON.stringify(input.derivation);
      n[9] = derivation.length;
      text += derivation;
    }
    n[10] = idempotencyKey === null ? -1 : idempotencyKey.length;
    if (idempotencyKey !== null) text += idempotencyKey;
    return this.#log.stage(text, n);
  }

  /** The TS engine's size check and message, before the value crosses the boundary. */
  #checkSize(json: string, input: AppendInput): void {
    // A valid value's JSON.stringify text is as long as its canonical form.
    if (json.length * 3 <= this.#maxValueBytes) return;
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.#maxValueBytes) {
      throw new IgniterError(
        'ERR_VALUE_TOO_LARGE',
        `value of ${input.store}/${input.key} is ${bytes} bytes of canonical JSON; the limit is ${this.#maxValueBytes}`,
      );
    }
  }

  /** Decodes a packed result whose count is in the scratch array. */
  #unpack(texts: readonly string[], knownKey?: string): NativeFact[] {
    const count = this.#scratch[0] as number;
    if (count === 0) return [];
    const fits = 1 + count * PACKED_FACT_STRIDE <= this.#scratch.length;
    const numbers = fits ? this.#scratch : this.#log.takeSpill();
    return unpackFacts({ texts, numbers, base: fits ? 1 : 0, count, knownKey }, this.#storeName);
  }

  #storeNameOf(index: number): string {
    let name = this.#storeNames[index];
    if (name === undefined) {
      name = this.#log.storeName(index) ?? '';
      this.#storeNames[index] = name;
    }
    return name;
  }

  #call<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw fromNativeError(error);
    }
  }
}
