import { type Fact, IgniterError, type LazyFacts } from '@igniter/core';
import { KeyTable } from '@igniter/core/storage';
import { type CopyRow, rowPayloadBytes } from './copy-rows.js';
import { factFromRow } from './fact-rows.js';
import { FACT_COLUMNS } from './layout.js';

const MAY_RESTORE = 1;
const FORGOTTEN = 2;
const FIELDS = FACT_COLUMNS.length;

function grown<T extends Float64Array | Int32Array | Uint8Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(size, array.length * 2));
  bigger.set(array);
  return bigger;
}

/**
 * The facts of a binary COPY of the fact table, indexed but not decoded, for the TS engine to
 * adopt (`LazyFacts`): each row stays in the COPY chunk it came in, and only its seq,
 * transaction time, store and key are read at open (two strings per row instead of a fact
 * object). A fact is decoded, checked (`ERR_CORRUPT_LOG` for a row that is not a fact) and kept
 * on its first read, as the file backends' deferred open does (ARCHITECTURE.md D8).
 *
 * The backend reads every row once more when it needs the facts as objects (compaction,
 * prune, replay); until it has (`release`), a forgotten (pruned) row's bytes are kept for that
 * read, and zeroed right after it; later ones are zeroed at once.
 */
export class CopyLazyFacts implements LazyFacts {
  readonly engine = 'ts' as const;
  #count = 0;
  readonly #buffers: Buffer[] = [];
  #bufferOf = new Int32Array(1024);
  /** Offset of each row's first field length in its buffer. */
  #rowAt = new Int32Array(1024);
  #seqs = new Float64Array(1024);
  #times = new Float64Array(1024);
  #keyIds = new Int32Array(1024);
  #flags = new Uint8Array(1024);
  readonly #facts: Array<Fact | undefined> = [];
  readonly #keys = new KeyTable();
  /** Facts and payload bytes per store index of `#keys`. */
  readonly #storeFacts: number[] = [];
  readonly #storeBytes: number[] = [];
  #holding = true;
  readonly #held: number[] = [];
  readonly #row: CopyRow = {
    buf: Buffer.alloc(0),
    starts: new Int32Array(FIELDS),
    ends: new Int32Array(FIELDS),
  };

  get count(): number {
    return this.#count;
  }

  /**
   * Indexes one row of `BinaryCopyRows` (its buffer is kept; the store and key are looked up
   * by their bytes, no string made for a pair seen before) and returns its seq. The caller
   * passes rows in seq order (the engine checks it when it adopts).
   */
  add(row: CopyRow): number {
    const i = this.#count;
    const size = i + 1;
    this.#bufferOf = grown(this.#bufferOf, size);
    this.#rowAt = grown(this.#rowAt, size);
    this.#seqs = grown(this.#seqs, size);
    this.#times = grown(this.#times, size);
    this.#keyIds = grown(this.#keyIds, size);
    this.#flags = grown(this.#flags, size);
    const { buf, starts, ends } = row;
    const seqAt = starts[0] as number;
    // The seq column is the primary key; a row without one is no fact log row at all.
    if (seqAt === -1 || ends[0] !== seqAt + 8)
      throw new IgniterError('ERR_CORRUPT_LOG', 'a stored row has no seq');
    if (this.#buffers.at(-1) !== buf) this.#buffers.push(buf);
    this.#bufferOf[i] = this.#buffers.length - 1;
    this.#rowAt[i] = seqAt - 4;
    // Other NULLs where a fact has none are found when the fact is decoded; read here as 0 and "".
    const seq = buf.readInt32BE(seqAt) * 2 ** 32 + buf.readUInt32BE(seqAt + 4);
    this.#seqs[i] = seq;
    this.#times[i] = starts[7] === -1 ? 0 : buf.readDoubleBE(starts[7] as number);
    const storeNull = starts[2] === -1;
    const keyNull = starts[3] === -1;
    const pair = this.#keys.idOf(
      buf,
      storeNull ? 0 : (starts[2] as number),
      storeNull ? 0 : (ends[2] as number),
      keyNull ? 0 : (starts[3] as number),
      keyNull ? 0 : (ends[3] as number),
    );
    this.#keyIds[i] = pair;
    const storeIndex = this.#keys.storeIndexOf(pair);
    this.#storeFacts[storeIndex] = (this.#storeFacts[storeIndex] ?? 0) + 1;
    this.#storeBytes[storeIndex] = (this.#storeBytes[storeIndex] ?? 0) + rowPayloadBytes(row);
    // A fact leaves state behind only with an idempotency key or a producer `kind` (receipts).
    const producerKind = starts[10] !== -1 && buf.subarray(starts[10], ends[10]).includes('"kind"');
    this.#flags[i] = producerKind || starts[12] !== -1 ? MAY_RESTORE : 0;
    this.#count = size;
    return seq;
  }

  /** Facts and row payload bytes per store, as read. */
  storeCounts(): Array<{ store: string; facts: number; bytes: number }> {
    return this.#keys.stores.map((store, i) => ({
      store,
      facts: this.#storeFacts[i] ?? 0,
      bytes: this.#storeBytes[i] ?? 0,
    }));
  }

  seqAt(i: number): number {
    return this.#seqs[i] as number;
  }

  transactionTimeAt(i: number): number {
    return this.#times[i] as number;
  }

  keyIdAt(i: number): number {
    return this.#keyIds[i] as number;
  }

  storeIndexOfKeyId(keyId: number): number {
    return this.#keys.storeIndexOf(keyId);
  }

  storeOfKeyId(keyId: number): string {
    return this.#keys.storeOf(keyId);
  }

  keyOfKeyId(keyId: number): string {
    return this.#keys.keyOf(keyId);
  }

  idAt(i: number): string {
    const row = this.#locate(i);
    return row.starts[1] === -1 ? '' : row.buf.toString('utf8', row.starts[1], row.ends[1]);
  }

  mayRestore(i: number): boolean {
    return ((this.#flags[i] as number) & MAY_RESTORE) !== 0;
  }

  /** Fact `i`, decoded and checked on its first read. Throws `ERR_CORRUPT_LOG`. */
  fact(i: number): Fact {
    const cached = this.#facts[i];
    if (cached) return cached;
    const fact = factFromRow(this.#locate(i));
    if (((this.#flags[i] as number) & FORGOTTEN) === 0) this.#facts[i] = fact;
    return fact;
  }

  forget(i: number): void {
    this.#flags[i] = (this.#flags[i] as number) | FORGOTTEN;
    this.#facts[i] = undefined;
    if (this.#holding) this.#held.push(i);
    else this.#erase(i);
  }

  /** The backend has read every row it needs: forgotten rows' bytes are zeroed from now on. */
  release(): void {
    this.#holding = false;
    for (const i of this.#held.splice(0)) this.#erase(i);
  }

  /** Zeroes row `i`'s bytes, field lengths included. */
  #erase(i: number): void {
    const row = this.#locate(i);
    let end = this.#rowAt[i] as number;
    for (let f = 0; f < FIELDS; f++) {
      const start = row.starts[f] as number;
      end += 4 + (start === -1 ? 0 : (row.ends[f] as number) - start);
    }
    row.buf.fill(0, this.#rowAt[i] as number, end);
  }

  /** Row `i`'s fields (the shared row object: read it before the next call). */
  #locate(i: number): CopyRow {
    const row = this.#row;
    const buf = this.#buffers[this.#bufferOf[i] as number] as Buffer;
    row.buf = buf;
    let at = this.#rowAt[i] as number;
    for (let f = 0; f < FIELDS; f++) {
      const length = buf.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.starts[f] = -1;
        row.ends[f] = -1;
      } else {
        row.starts[f] = at;
        row.ends[f] = at + length;
        at += length;
      }
    }
    return row;
  }
}
