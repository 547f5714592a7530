/**
 * The keys of one store whose plain current read the read cache holds, each to its slot
 * (`ReadCache`): an open-addressed table of (hash, slot) pairs in one `Int32Array`, probed
 * linearly. A lookup of a key the cache does not hold, the first read of every key, reads
 * one place of the table (a line of eight places) and stops at an empty one: no key string is
 * read. A JS `Map` keyed by the key string walked a chain of entries there, reading each
 * candidate's key string, and re-read every key string each time it grew; with the fact log's
 * own memory misses around it, that was ~0.3 µs of a ~2.4 µs first read (measured in
 * benchmarks/RESULTS.md, "Reads, seventh pass"). A hit compares the key with the one kept
 * by slot (the same string object, as a rule: one pointer comparison).
 *
 * Hashes are seeded at random per process. Every key lies at most `MAX_PROBE` places from
 * its home place: a key that cannot be placed that near is not kept (its reads miss the
 * cache, which only costs recomputation), so no set of keys makes a lookup longer.
 */

/** Farthest place from its home place a key is kept at. */
export const MAX_PROBE = 32;
/** Places of a new table (a power of two); it doubles when half full. */
const MIN_PLACES = 16;
const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** The hash of a key as `KeySlots` takes it: 32 bits, seeded, never 0 (0 marks an empty place). */
export function hashKey(key: string): number {
  let hash = SEED ^ key.length;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x0100_0193);
  // Mix the high bits into the low ones: the table's place is the low bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85eb_ca6b);
  hash ^= hash >>> 13;
  return hash | 1;
}

export class KeySlots {
  /** Two numbers per place: the key's hash (0: empty) and its slot. */
  #places = new Int32Array(2 * MIN_PLACES);
  #mask = MIN_PLACES - 1;
  #count = 0;

  /** @param drop called with the slot of each key that growing could not place again. */
  constructor(private readonly drop: (slot: number) => void) {}

  /** Keys held. */
  get size(): number {
    return this.#count;
  }

  /** The slot of `key`, whose hash is `hash`, or -1; `keys` holds the key of each slot. */
  find(key: string, hash: number, keys: readonly (string | undefined)[]): number {
    const places = this.#places;
    const mask = this.#mask;
    let at = hash & mask;
    for (let probe = 0; probe <= MAX_PROBE; probe++) {
      const held = places[2 * at] as number;
      if (held === 0) return -1;
      if (held === hash) {
        const slot = places[2 * at + 1] as number;
        if (keys[slot] === key) return slot;
      }
      at = (at + 1) & mask;
    }
    return -1;
  }

  /**
   * Keeps `slot` for a key of hash `hash` that is not held; false when no place within
   * `MAX_PROBE` of its home is free (the key is then not kept).
   */
  add(hash: number, slot: number): boolean {
    if (2 * (this.#count + 1) > this.#mask + 1) this.#grow();
    if (!place(this.#places, this.#mask, hash, slot)) return false;
    this.#count += 1;
    return true;
  }

  /** Forgets `slot`, kept for a key of hash `hash` (nothing when it is not kept). */
  remove(hash: number, slot: number): void {
    const places = this.#places;
    const mask = this.#mask;
    let at = hash & mask;
    for (let probe = 0; ; probe++) {
      if (probe > MAX_PROBE || places[2 * at] === 0) return;
      if (places[2 * at] === hash && places[2 * at + 1] === slot) break;
      at = (at + 1) & mask;
    }
    // Backward shift: move each later key of the run into the hole when its home place is
    // not after the hole, so that no lookup meets an empty place before its key.
    let hole = at;
    let next = at;
    for (;;) {
      next = (next + 1) & mask;
      const held = places[2 * next] as number;
      if (held === 0) break;
      if (((next - (held & mask)) & mask) >= ((next - hole) & mask)) {
        places[2 * hole] = held;
        places[2 * hole + 1] = places[2 * next + 1] as number;
        hole = next;
      }
    }
    places[2 * hole] = 0;
    places[2 * hole + 1] = 0;
    this.#count -= 1;
  }

  /** Twice the places, every key placed again from its hash (no key string is read). */
  #grow(): void {
    const old = this.#places;
    const size = 2 * (this.#mask + 1);
    const places = new Int32Array(2 * size);
    const mask = size - 1;
    for (let at = 0; at < old.length; at += 2) {
      const hash = old[at] as number;
      if (hash === 0) continue;
      const slot = old[at + 1] as number;
      if (!place(places, mask, hash, slot)) {
        this.#count -= 1;
        this.drop(slot);
      }
    }
    this.#places = places;
    this.#mask = mask;
  }
}

/** Puts (hash, slot) in the first free place within `MAX_PROBE` of its home; false if none. */
function place(places: Int32Array, mask: number, hash: number, slot: number): boolean {
  let at = hash & mask;
  for (let probe = 0; probe <= MAX_PROBE; probe++) {
    if (places[2 * at] === 0) {
      places[2 * at] = hash;
      places[2 * at + 1] = slot;
      return true;
    }
    at = (at + 1) & mask;
  }
  return false;
}
