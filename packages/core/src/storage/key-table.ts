import { grown } from './grown.js';

/**
 * Numbers the (store, key) pairs met while scanning a log, looked up by their UTF-8 bytes in
 * place, so that a fact whose key was seen before costs a hash of its bytes and one compare,
 * and no string. Names become strings once, when a pair is first seen.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Hashed between the store and the key: a byte that UTF-8 never contains. */
const SEPARATOR = 0xff;
const EMPTY = -1;

function hashBytes(hash: number, buf: Uint8Array, start: number, end: number): number {
  let h = hash;
  for (let p = start; p < end; p++) h = Math.imul(h ^ (buf[p] as number), FNV_PRIME);
  return h;
}

export class KeyTable {
  /** Slot -> pair id, open addressing with linear probing; at most half full. */
  #slots = new Int32Array(1024).fill(EMPTY);
  #hashes = new Int32Array(256);
  /** Where each pair's bytes (store then key) start in `#bytes`, and their lengths. */
  #at = new Int32Array(256);
  #storeLengths = new Int32Array(256);
  #keyLengths = new Int32Array(256);
  #bytes = new Uint8Array(64 * 1024);
  #bytesUsed = 0;
  #storeIndex = new Int32Array(256);
  readonly #keys: string[] = [];
  readonly #stores: string[] = [];
  readonly #storeIds = new Map<string, number>();

  /** Number of pairs. */
  get size(): number {
    return this.#keys.length;
  }

  /** Store names, by store index (see {@link storeIndexOf}). */
  get stores(): readonly string[] {
    return this.#stores;
  }

  /**
   * The id of the pair whose store is the UTF-8 of `buf[storeStart, storeEnd)` and whose key is
   * that of `buf[keyStart, keyEnd)`, numbered from 0 in order of first sight.
   * Cost: a hash of the bytes and, usually, one compare.
   */
  idOf(buf: Uint8Array, storeStart: number, storeEnd: number, keyStart: number, keyEnd: number): number {
    const hash = hashBytes(
      Math.imul(hashBytes(FNV_OFFSET, buf, storeStart, storeEnd) ^ SEPARATOR, FNV_PRIME),
      buf,
      keyStart,
      keyEnd,
    );
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.#slots[slot] as number;
      if (id === EMPTY) {
        const added = this.#add(hash, buf, storeStart, storeEnd, keyStart, keyEnd);
        this.#slots[slot] = added;
        if (this.#keys.length * 2 > this.#slots.length) this.#rehash();
        return added;
      }
      if (this.#hashes[id] === hash && this.#same(id, buf, storeStart, storeEnd, keyStart, keyEnd)) return id;
    }
  }

  /** The id of (store, key), given as strings. Cost: one UTF-8 encode, then as {@link idOf}. */
  idOfNames(store: string, key: string): number {
    const storeBytes = Buffer.from(store, 'utf8');
    const both = Buffer.concat([storeBytes, Buffer.from(key, 'utf8')]);
    return this.idOf(both, 0, storeBytes.length, storeBytes.length, both.length);
  }

  keyOf(id: number): string {
    return this.#keys[id] as string;
  }

  storeOf(id: number): string {
    return this.#stores[this.#storeIndex[id] as number] as string;
  }

  /** Index of the pair's store in {@link stores}. */
  storeIndexOf(id: number): number {
    return this.#storeIndex[id] as number;
  }

  #same(
    id: number,
    buf: Uint8Array,
    storeStart: number,
    storeEnd: number,
    keyStart: number,
    keyEnd: number,
  ): boolean {
    const storeLength = storeEnd - storeStart;
    const keyLength = keyEnd - keyStart;
    if (this.#storeLengths[id] !== storeLength || this.#keyLengths[id] !== keyLength) return false;
    const bytes = this.#bytes;
    const at = this.#at[id] as number;
    for (let i = 0; i < keyLength; i++) if (bytes[at + storeLength + i] !== buf[keyStart + i]) return false;
    for (let i = 0; i < storeLength; i++) if (bytes[at + i] !== buf[storeStart + i]) return false;
    return true;
  }

  #add(
    hash: number,
    buf: Uint8Array,
    storeStart: number,
    storeEnd: number,
    keyStart: number,
    keyEnd: number,
  ): number {
    const id = this.#keys.length;
    const storeLength = storeEnd - storeStart;
    const keyLength = keyEnd - keyStart;
    const make = (n: number) => new Int32Array(n);
    this.#hashes = grown(this.#hashes, id + 1, make);
    this.#at = grown(this.#at, id + 1, make);
    this.#storeLengths = grown(this.#storeLengths, id + 1, make);
    this.#keyLengths = grown(this.#keyLengths, id + 1, make);
    this.#storeIndex = grown(this.#storeIndex, id + 1, make);
    this.#bytes = grown(this.#bytes, this.#bytesUsed + storeLength + keyLength, (n) => new Uint8Array(n));
    const at = this.#bytesUsed;
    this.#bytes.set(buf.subarray(storeStart, storeEnd), at);
    this.#bytes.set(buf.subarray(keyStart, keyEnd), at + storeLength);
    this.#bytesUsed += storeLength + keyLength;
    this.#hashes[id] = hash;
    this.#at[id] = at;
    this.#storeLengths[id] = storeLength;
    this.#keyLengths[id] = keyLength;
    const text = Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset + at, storeLength + keyLength);
    const store = text.toString('utf8', 0, storeLength);
    let storeIndex = this.#storeIds.get(store);
    if (storeIndex === undefined) {
      storeIndex = this.#stores.length;
      this.#stores.push(store);
      this.#storeIds.set(store, storeIndex);
    }
    this.#storeIndex[id] = storeIndex;
    this.#keys.push(text.toString('utf8', storeLength));
    return id;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let id = 0; id < this.#keys.length; id++) {
      let slot = (this.#hashes[id] as number) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.#slots = slots;
  }
}
