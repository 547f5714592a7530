import type { LazyFacts } from '../engine/types.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { type FactCodec, jsonFactCodec } from './fact-codec.js';
import { type Envelope, readEnvelope } from './fact-envelope.js';
import { grown } from './grown.js';
import { KeyTable } from './key-table.js';
import { corruptLog } from './recovery.js';

/** A buffer frames were staged from: frames from `firstFrame` on live in it. */
interface Source {
  buf: Buffer;
  path: string;
  /** Codec of the file's fact bodies. */
  codec: FactCodec;
  /** Whether bodies may be in the plain `json-v1` form, indexed from their bytes. */
  plain: boolean;
  /** File offset of `buf[0]`. */
  fileBase: number;
  firstFrame: number;
}

/** How many facts and frame bytes a store holds. */
export interface StoreCount {
  store: string;
  facts: number;
  bytes: number;
}

const IDEMPOTENT = 1;
const PRODUCER_KIND = 2;
const FRAME_OVERHEAD = 8;
const i32 = (length: number) => new Int32Array(length);
const f64 = (length: number) => new Float64Array(length);

/**
 * The facts of a log whose frames were read and CRC-checked at open but not decoded: each is
 * a slice of the file's bytes (kept in memory) plus the fields an engine indexes (seq, store,
 * key, transaction time). A fact is decoded, checked and kept the first time it is read, so a
 * store that reads a few keys after opening a large log decodes a few facts (ARCHITECTURE.md D8).
 *
 * A file backend's fact reader fills one while it scans its files (`stage` each frame,
 * `commit` those it keeps); the TS engine adopts it as {@link LazyFacts}. Bodies in the
 * plain `json-v1` form (everything this package writes) are indexed from their bytes; any other
 * body is decoded at once, so it is accepted or rejected as the eager reader would.
 *
 * A body that passed its CRC but does not decode (possible only if something other than
 * Igniter wrote it) is reported when the fact is first read, as `ERR_CORRUPT_LOG` naming the
 * file and offset, instead of at open.
 */
export class DeferredFacts implements LazyFacts {
  readonly engine = 'ts' as const;
  readonly #keys = new KeyTable();
  readonly #sources: Source[] = [];
  readonly #envelope: Envelope = {
    seq: 0,
    storeStart: 0,
    storeEnd: 0,
    keyStart: 0,
    keyEnd: 0,
    transactionTime: 0,
    idempotent: false,
    producerKind: false,
  };
  #count = 0;
  #starts = new Int32Array(1024);
  #ends = new Int32Array(1024);
  #keyIds = new Int32Array(1024);
  #seqs = new Float64Array(1024);
  #times = new Float64Array(1024);
  #flags = new Uint8Array(1024);
  /** Facts decoded so far (and bodies that had to be decoded at once), by index. */
  #decoded: (Fact | undefined)[] = [];
  #keyFacts = new Float64Array(256);
  #keyBytes = new Float64Array(256);

  /** Number of facts kept. */
  get count(): number {
    return this.#count;
  }

  /**
   * Reads the fact body `buf[start, end)` (the frame starts at file offset `offset` of `path`,
   * a file of `codec`) as the next fact, not yet kept, and returns its seq. `buf` must not change while this
   * object lives. Throws `ERR_CORRUPT_FRAME` when a body not in the plain form does not decode.
   * Cost: its envelope's bytes (see fact-envelope.ts), or one decode.
   */
  stage(buf: Buffer, start: number, end: number, offset: number, path: string, codec: FactCodec): number {
    const i = this.#count;
    if (i === this.#starts.length) this.#grow(i * 2);
    let source = this.#sources[this.#sources.length - 1];
    if (source?.buf !== buf || source.path !== path) {
      const plain = codec === jsonFactCodec;
      source = { buf, path, codec, plain, fileBase: offset - (start - 4), firstFrame: i };
      this.#sources.push(source);
    }
    const envelope = this.#envelope;
    let keyId: number;
    let flags = 0;
    if (source.plain && readEnvelope(buf, start, end, envelope)) {
      keyId = this.#keys.idOf(
        buf,
        envelope.storeStart,
        envelope.storeEnd,
        envelope.keyStart,
        envelope.keyEnd,
      );
      this.#seqs[i] = envelope.seq;
      this.#times[i] = envelope.transactionTime;
      if (envelope.idempotent) flags |= IDEMPOTENT;
      if (envelope.producerKind) flags |= PRODUCER_KIND;
      this.#decoded[i] = undefined;
    } else {
      const fact = source.codec.decode(buf, start, end);
      keyId = this.#keys.idOfNames(fact.store, fact.key);
      this.#seqs[i] = fact.seq;
      this.#times[i] = fact.transactionTime;
      this.#decoded[i] = fact;
    }
    this.#starts[i] = start;
    this.#ends[i] = end;
    this.#keyIds[i] = keyId;
    this.#flags[i] = flags;
    return this.#seqs[i] as number;
  }

  /** Keeps the fact staged last. */
  commit(): void {
    const i = this.#count;
    const keyId = this.#keyIds[i] as number;
    if (keyId >= this.#keyFacts.length) {
      this.#keyFacts = grown(this.#keyFacts, keyId + 1, f64);
      this.#keyBytes = grown(this.#keyBytes, keyId + 1, f64);
    }
    this.#keyFacts[keyId] = (this.#keyFacts[keyId] as number) + 1;
    this.#keyBytes[keyId] =
      (this.#keyBytes[keyId] as number) +
      (this.#ends[i] as number) -
      (this.#starts[i] as number) +
      FRAME_OVERHEAD;
    this.#count = i + 1;
  }

  /** Facts and frame bytes per store, over the facts kept. Cost: O(keys). */
  storeCounts(): StoreCount[] {
    const keys = this.#keys;
    const counts = keys.stores.map((store) => ({ store, facts: 0, bytes: 0 }));
    const seen = Math.min(keys.size, this.#keyFacts.length);
    for (let id = 0; id < seen; id++) {
      const count = counts[keys.storeIndexOf(id)] as StoreCount;
      count.facts += this.#keyFacts[id] as number;
      count.bytes += this.#keyBytes[id] as number;
    }
    return counts.filter((count) => count.facts > 0);
  }

  seqAt(i: number): number {
    return this.#seqs[i] as number;
  }

  transactionTimeAt(i: number): number {
    return this.#times[i] as number;
  }

  /** The (store, key) pair id of fact `i`: equal for facts of the same key. */
  keyIdAt(i: number): number {
    return this.#keyIds[i] as number;
  }

  /** A number for the store of a pair id, equal for pairs of the same store. */
  storeIndexOfKeyId(keyId: number): number {
    return this.#keys.storeIndexOf(keyId);
  }

  storeOfKeyId(keyId: number): string {
    return this.#keys.storeOf(keyId);
  }

  keyOfKeyId(keyId: number): string {
    return this.#keys.keyOf(keyId);
  }

  /** The fact's id, read from its bytes when it was not decoded. Cost: one short string. */
  idAt(i: number): string {
    const fact = this.#decoded[i];
    if (fact !== undefined) return fact.id;
    const start = this.#starts[i] as number;
    return this.#source(i).buf.toString('latin1', start + 4, start + 40);
  }

  /**
   * Whether fact `i` may carry an idempotency key or a producer with a `kind` (what
   * `Engine.restorable` looks for); false means it certainly does not. Cost: constant.
   */
  mayRestore(i: number): boolean {
    return this.#flags[i] !== 0 || this.#decoded[i] !== undefined;
  }

  /**
   * Fact `i`, decoded on first read and kept (frozen, value deep-frozen). Throws
   * `ERR_CORRUPT_LOG` naming the file and offset when its body does not decode into the fact
   * indexed at open. Cost: one decode the first time.
   */
  fact(i: number): Fact {
    let fact = this.#decoded[i];
    if (fact === undefined) {
      fact = this.#decode(i);
      this.#decoded[i] = fact;
    }
    return fact;
  }

  /**
   * Forgets fact `i` once its engine removed it (prune, compaction): its frame's bytes are
   * zeroed in memory and its decoded copy dropped, so a pruned value does not stay readable in
   * the process. Reading it afterwards throws `ERR_CORRUPT_LOG`. Cost: the frame's bytes.
   */
  forget(i: number): void {
    this.#source(i).buf.fill(0, this.#starts[i] as number, this.#ends[i] as number);
    this.#decoded[i] = undefined;
  }

  /** Every fact, in order. Cost: a decode of each fact not read yet. */
  facts(): Fact[] {
    const out: Fact[] = new Array(this.#count);
    for (let i = 0; i < this.#count; i++) out[i] = this.fact(i);
    return out;
  }

  #decode(i: number): Fact {
    const source = this.#source(i);
    const start = this.#starts[i] as number;
    const offset = source.fileBase + start - 4;
    let fact: Fact;
    try {
      fact = source.codec.decode(source.buf, start, this.#ends[i] as number);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw corruptLog(source.path, offset, why, error, false);
    }
    const keyId = this.#keyIds[i] as number;
    if (
      fact.seq !== this.#seqs[i] ||
      fact.transactionTime !== this.#times[i] ||
      fact.store !== this.#keys.storeOf(keyId) ||
      fact.key !== this.#keys.keyOf(keyId)
    ) {
      throw corruptLog(source.path, offset, 'the fact does not match its index entry', undefined, false);
    }
    return fact;
  }

  #source(i: number): Source {
    const sources = this.#sources;
    for (let s = sources.length - 1; s > 0; s--) {
      const source = sources[s] as Source;
      if (source.firstFrame <= i) return source;
    }
    const first = sources[0];
    if (!first) throw new IgniterError('ERR_INVALID_ARGUMENT', `no fact ${i}`);
    return first;
  }

  #grow(capacity: number): void {
    this.#starts = grown(this.#starts, capacity, i32);
    this.#ends = grown(this.#ends, capacity, i32);
    this.#keyIds = grown(this.#keyIds, capacity, i32);
    this.#seqs = grown(this.#seqs, capacity, f64);
    this.#times = grown(this.#times, capacity, f64);
    this.#flags = grown(this.#flags, capacity, (n) => new Uint8Array(n));
  }
}
