/** Fact count and frame bytes per store name, for `storageStats()`. */
export class StoreTally {
  private readonly stores = new Map<string, { factCount: number; byteSize: number }>();
  /** Live facts counted. */
  factCount = 0;

  /** Counts one fact of `store` stored in a frame of `bytes` bytes. Cost: one map lookup. */
  add(store: string, bytes: number): void {
    this.addMany(store, 1, bytes);
  }

  /** Counts `facts` facts of `store` stored in frames of `bytes` bytes in all. */
  addMany(store: string, facts: number, bytes: number): void {
    const entry = this.stores.get(store);
    if (entry) {
      entry.factCount += facts;
      entry.byteSize += bytes;
    } else {
      this.stores.set(store, { factCount: facts, byteSize: bytes });
    }
    this.factCount += facts;
  }

  /** A tally of these per-store counts. */
  static fromCounts(counts: Iterable<{ store: string; facts: number; bytes: number }>): StoreTally {
    const tally = new StoreTally();
    for (const { store, facts, bytes } of counts) tally.addMany(store, facts, bytes);
    return tally;
  }

  /** A tally of both tallies' facts. */
  static merge(a: StoreTally, b: StoreTally): StoreTally {
    const merged = new StoreTally();
    for (const tally of [a, b]) {
      for (const [store, entry] of tally.stores) {
        const into = merged.stores.get(store);
        if (into) {
          into.factCount += entry.factCount;
          into.byteSize += entry.byteSize;
        } else {
          merged.stores.set(store, { ...entry });
        }
      }
      merged.factCount += tally.factCount;
    }
    return merged;
  }

  /** Every store's counts, as a reader reports them. */
  counts(): { store: string; facts: number; bytes: number }[] {
    return [...this.stores].map(([store, entry]) => ({
      store,
      facts: entry.factCount,
      bytes: entry.byteSize,
    }));
  }

  /** The per-store figures, of one store when `store` is given (empty when it has none). */
  snapshot(store?: string): { [store: string]: { factCount: number; byteSize: number } } {
    const out: { [store: string]: { factCount: number; byteSize: number } } = {};
    for (const [name, entry] of this.stores) {
      if (store === undefined || store === name) out[name] = { ...entry };
    }
    return out;
  }
}
