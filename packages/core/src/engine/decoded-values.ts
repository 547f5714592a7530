import type { Json } from '../json.js';

/** Slots per chunk: a chunk is a small array that stays in V8's fast elements. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** Default bound on the values held, as the read cache bounds its current-state entries. */
export const DEFAULT_DECODED_CAP = 100_000;

/**
 * The decoded values of the native engine's facts, by slot (the fact's index in the Rust
 * log), for the reads that want a value alone (ARCHITECTURE.md D6): the Rust log remembers
 * which slots it handed over (`readValue`), and a later read of the same fact crosses back
 * as its slot only. A fact never changes, so a value held is exact for as long as its slot
 * names the same fact; removals and truncations renumber slots, and the engine then clears
 * both sides. Bounded: past `cap` values every one goes (Rust is told to forget too).
 */
export class DecodedValues {
  #chunks: (Json[] | undefined)[] = [];
  #count = 0;

  constructor(readonly cap = DEFAULT_DECODED_CAP) {}

  /** Number of values held. */
  get size(): number {
    return this.#count;
  }

  get(slot: number): Json | undefined {
    return this.#chunks[slot >>> CHUNK_BITS]?.[slot & (CHUNK - 1)];
  }

  /** Keeps `value` under `slot`; returns false when the cap was reached and everything went first. */
  set(slot: number, value: Json): boolean {
    let kept = true;
    if (this.#count >= this.cap) {
      this.clear();
      kept = false;
    }
    const index = slot >>> CHUNK_BITS;
    let chunk = this.#chunks[index];
    if (chunk === undefined) {
      // Grown one chunk at a time: the outer array stays dense and in fast elements.
      while (this.#chunks.length < index) this.#chunks.push(undefined);
      chunk = new Array<Json>(CHUNK);
      this.#chunks[index] = chunk;
    }
    const at = slot & (CHUNK - 1);
    if (chunk[at] === undefined) this.#count += 1;
    chunk[at] = value;
    return kept;
  }

  clear(): void {
    this.#chunks = [];
    this.#count = 0;
  }
}
