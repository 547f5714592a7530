import { startsAt } from './starts-at.js';

/** Distinct strings kept per member. */
const MAX_KEPT = 16;
/** Longest string kept. */
const MAX_LENGTH = 32;
/** Reads after which a member whose strings mostly miss stops looking (it has too many). */
const TRIAL = 256;
/** Places of the kept strings' table (a power of two, a few times `MAX_KEPT`). */
const PLACES = 64;

/**
 * The few distinct short strings one member of a flat object shape keeps having (a status, a
 * region, a currency), so that a decode hands out the same string object again instead of
 * allocating a copy per value: what V8's string table gives `JSON.parse`, without the table's
 * cache miss per lookup. A member with more distinct values than it keeps (an id, a name)
 * stops looking after a trial, and its values are plain slices.
 *
 * A string has one place in a small table, from its length and its first and last characters,
 * so a lookup compares one candidate: two kept strings that would share a place are not both
 * kept (the second is sliced each time, still exact).
 */
export class RecentStrings {
  readonly #places: (string | undefined)[] = new Array(PLACES).fill(undefined);
  #kept = 0;
  #hits = 0;
  #misses = 0;
  #off = false;

  /** `text.slice(start, end)`, or the equal string handed out before. */
  take(text: string, start: number, end: number): string {
    if (this.#off) return text.slice(start, end);
    const length = end - start;
    const place =
      length === 0 ? 0 : (text.charCodeAt(start) * 31 + text.charCodeAt(end - 1) * 7 + length) & (PLACES - 1);
    const candidate = this.#places[place];
    if (candidate !== undefined && candidate.length === length && startsAt(text, candidate, start)) {
      this.#hits += 1;
      return candidate;
    }
    const value = text.slice(start, end);
    if (candidate === undefined && this.#kept < MAX_KEPT && length <= MAX_LENGTH) {
      this.#places[place] = value;
      this.#kept += 1;
    } else {
      this.#misses += 1;
      if (this.#hits + this.#misses >= TRIAL && this.#misses > this.#hits) {
        this.#off = true;
        this.#places.fill(undefined);
      }
    }
    return value;
  }
}
