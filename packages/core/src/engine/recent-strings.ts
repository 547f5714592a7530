import { startsAt } from './starts-at.js';

/** Distinct strings kept per member. */
const MAX_KEPT = 16;
/** Longest string kept. */
const MAX_LENGTH = 32;
/** Reads after which a member whose strings mostly miss stops looking (it has too many). */
const TRIAL = 256;

/**
 * The few distinct short strings one member of a flat object shape keeps having (a status, a
 * region, a currency), so that a decode hands out the same string object again instead of
 * allocating a copy per value: what V8's string table gives `JSON.parse`, without the table's
 * cache miss per lookup. A member with more distinct values than it keeps (an id, a name)
 * stops looking after a trial, and its values are plain slices.
 */
export class RecentStrings {
  readonly #kept: string[] = [];
  #hits = 0;
  #misses = 0;
  #off = false;

  /** `text.slice(start, end)`, or the equal string handed out before. */
  take(text: string, start: number, end: number): string {
    if (this.#off) return text.slice(start, end);
    const length = end - start;
    const kept = this.#kept;
    const last = text.charCodeAt(end - 1);
    for (let i = 0; i < kept.length; i++) {
      const candidate = kept[i] as string;
      // The last character first: it tells apart most of a member's strings of one length
      // (`eu-1`, `eu-2`) without a search.
      if (
        candidate.length === length &&
        (length === 0 || candidate.charCodeAt(length - 1) === last) &&
        startsAt(text, candidate, start)
      ) {
        this.#hits += 1;
        return candidate;
      }
    }
    const value = text.slice(start, end);
    if (kept.length < MAX_KEPT && length <= MAX_LENGTH) kept.push(value);
    else {
      this.#misses += 1;
      if (this.#hits + this.#misses >= TRIAL && this.#misses > this.#hits) {
        this.#off = true;
        kept.length = 0;
      }
    }
    return value;
  }
}
