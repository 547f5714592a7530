/** A cached answer and when it was computed (store clock ms). */
interface Entry<T> {
  value: T;
  at: number;
}

type Nested<T> = Map<string, Map<string, Map<string, Entry<T>>>>;

/** Default bound on current-state entries; past it they are all dropped (recomputing is cheap). */
const DEFAULT_CURRENT_CAP = 100_000;

function fresh<T>(entry: Entry<T> | undefined, now: number, ttl: number | undefined): entry is Entry<T> {
  return entry !== undefined && (ttl === undefined || now - entry.at <= ttl);
}

/**
 * The read cache of a store (ARCHITECTURE.md D6). Current-state answers are kept per (store, key) and per
 * (store, scope) and invalidated precisely, in time independent of the cache size. Time-travel
 * answers live in an LRU of `lruCap` entries; the store only caches those that no later commit
 * can change. `ttl` bounds the age of an answer on every lookup.
 */
export class ReadCache<T> {
  private readonly reads: Nested<T> = new Map();
  private readonly scopes: Nested<T> = new Map();
  private readonly lru = new Map<string, Entry<T>>();
  private currentCount = 0;

  constructor(
    readonly lruCap: number,
    private readonly currentCap = DEFAULT_CURRENT_CAP,
  ) {}

  /** Number of time-travel entries held. */
  get lruSize(): number {
    return this.lru.size;
  }

  getRead(store: string, key: string, variant: string, now: number, ttl?: number): Entry<T> | undefined {
    const entry = this.reads.get(store)?.get(key)?.get(variant);
    return fresh(entry, now, ttl) ? entry : undefined;
  }

  putRead(store: string, key: string, variant: string, value: T, now: number): void {
    this.put(this.reads, store, key, variant, { value, at: now });
  }

  getScope(store: string, scope: string, variant: string, now: number, ttl?: number): Entry<T> | undefined {
    const entry = this.scopes.get(store)?.get(scope)?.get(variant);
    return fresh(entry, now, ttl) ? entry : undefined;
  }

  putScope(store: string, scope: string, variant: string, value: T, now: number): void {
    this.put(this.scopes, store, scope, variant, { value, at: now });
  }

  getTimeTravel(id: string, now: number, ttl?: number): Entry<T> | undefined {
    const entry = this.lru.get(id);
    if (!fresh(entry, now, ttl)) return undefined;
    this.lru.delete(id);
    this.lru.set(id, entry);
    return entry;
  }

  putTimeTravel(id: string, value: T, now: number): void {
    if (this.lruCap <= 0) return;
    this.lru.delete(id);
    this.lru.set(id, { value, at: now });
    if (this.lru.size > this.lruCap) {
      const oldest = this.lru.keys().next().value;
      if (oldest !== undefined) this.lru.delete(oldest);
    }
  }

  /** Drops the current-state read entries of one key. */
  invalidateKey(store: string, key: string): void {
    const byKey = this.reads.get(store);
    const entries = byKey?.get(key);
    if (!byKey || !entries) return;
    this.currentCount -= entries.size;
    byKey.delete(key);
  }

  /** Drops the current-state entries of one scope. */
  invalidateScope(store: string, scope: string): void {
    const byScope = this.scopes.get(store);
    const entries = byScope?.get(scope);
    if (!byScope || !entries) return;
    this.currentCount -= entries.size;
    byScope.delete(scope);
  }

  /** Drops everything (after compaction, prune or a new coercion). */
  clear(): void {
    this.reads.clear();
    this.scopes.clear();
    this.lru.clear();
    this.currentCount = 0;
  }

  private put(map: Nested<T>, outer: string, inner: string, variant: string, entry: Entry<T>): void {
    if (this.currentCount >= this.currentCap) {
      // Bounded memory: dropping current entries only costs recomputation.
      this.reads.clear();
      this.scopes.clear();
      this.currentCount = 0;
    }
    let byInner = map.get(outer);
    if (!byInner) {
      byInner = new Map();
      map.set(outer, byInner);
    }
    let variants = byInner.get(inner);
    if (!variants) {
      variants = new Map();
      byInner.set(inner, variants);
    }
    if (!variants.has(variant)) this.currentCount += 1;
    variants.set(variant, entry);
  }
}
