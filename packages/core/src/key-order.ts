import type { Engine } from './engine/types.js';

/**
 * The keys of each store in UTF-16 order (the order of `keys()`, `query()` and their cursors),
 * sorted once and kept while the store's key set stays the same: a write to an existing key
 * keeps the list, a new key re-sorts it. The store calls `clear()` when facts are removed, since
 * a removal followed by a new key can leave the count unchanged.
 */
export class SortedKeys {
  readonly #log: Engine;
  readonly #byStore = new Map<string, { keyCount: number; keys: readonly string[] }>();

  constructor(log: Engine) {
    this.#log = log;
  }

  /** The store's keys with a live fact, sorted. Cost: O(1) when cached, else O(k log k). */
  of(store: string): readonly string[] {
    const { keyCount } = this.#log.storeCounts(store);
    const cached = this.#byStore.get(store);
    if (cached && cached.keyCount === keyCount) return cached.keys;
    const keys = Object.freeze(this.#log.keys(store).sort());
    if (keys.length === 0) this.#byStore.delete(store);
    else this.#byStore.set(store, { keyCount, keys });
    return keys;
  }

  /** Forgets every list (facts were removed). */
  clear(): void {
    this.#byStore.clear();
  }
}

/** Index of the first key greater than `after` in a sorted list (0 when `after` is undefined). */
export function firstKeyAfter(keys: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first key at or after `prefix` in a sorted list: where keys with it start. */
export function firstKeyFrom(keys: readonly string[], prefix: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
