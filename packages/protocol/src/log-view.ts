import type { Fact, IgniterStore } from '@igniter/core';

/**
 * Raw, seq-ordered reads of a store's fact log for replay and sync. This is the one place the
 * protocol reads the engine behind a store (`store.internalEngine`, core's sibling-package
 * surface): replay pages must cost O(page), not O(log), and must carry stored values, not
 * coerced ones. Every method first checks the store is open (`ERR_CLOSED`).
 */
export class LogView {
  readonly #store: IgniterStore;

  constructor(store: IgniterStore) {
    this.#store = store;
  }

  /**
   * Live facts with seq > `after` that `accept` takes, in seq order, at most `limit`. Looks up
   * windows of seqs, O(limit + seqs skipped), unless live facts are so sparse that one pass
   * over them is cheaper.
   */
  factsAfter(after: number, limit: number, accept: (fact: Fact) => boolean): Fact[] {
    const live = this.#store.factCount();
    const engine = this.#store.internalEngine;
    const last = engine.lastSeq();
    const out: Fact[] = [];
    if (live === 0 || limit === 0) return out;
    if (limit * (last - after) > live * live) {
      for (const fact of this.#store.factLogAll()) {
        if (fact.seq > after && accept(fact)) out.push(fact);
        if (out.length >= limit) break;
      }
      return out;
    }
    let from = after + 1;
    while (out.length < limit && from <= last) {
      const count = Math.min(last - from + 1, Math.max(limit - out.length, 1024));
      const seqs = Array.from({ length: count }, (_, i) => from + i);
      for (const fact of engine.bySeqs(seqs)) {
        if (!accept(fact)) continue;
        out.push(fact);
        if (out.length >= limit) break;
      }
      from += count;
    }
    return out;
  }

  /** The stored facts of a store (of one key when given), in seq order. */
  factsOf(store: string, key?: string): Fact[] {
    this.#store.factCount();
    return this.#store.internalEngine.factsFor(store, key);
  }

  /** The stored facts with these seqs, in the given order. */
  bySeqs(seqs: readonly number[]): Fact[] {
    this.#store.factCount();
    return this.#store.internalEngine.bySeqs(seqs);
  }
}
