import { hashKey, KeySlots } from './key-slots.js';

/** A cached answer and when it was computed (store clock ms). */
interface Entry<T> {
  value: T;
  at: number;
}

type Nested<T> = Map<string, Map<string, Map<string, Entry<T>>>>;

/** Default bound on current-state entries; past it they are all dropped (recomputing is cheap). */
const DEFAULT_CURRENT_CAP = 100_000;
/** Slots of plain current reads made at first; doubled as needed. */
const MIN_SLOTS = 64;

function fresh<T>(entry: Entry<T> | undefined, now: number, ttl: number | undefined): entry is Entry<T> {
  return entry !== undefined && (ttl === undefined || now - entry.at <= ttl);
}

/**
 * The read cache of a store (ARCHITECTURE.md D6). Current-state answers are kept per (store, key) and per
 * (store, scope) and invalidated precisely, in time independent of the cache size. Time-travel
 * answers live in an LRU of `lruCap` entries; the store only caches those that no later commit
 * can change (value reads as of a time skip it on an engine that memoizes values: see
 * `ReadPath.read`). `ttl` bounds the age of an answer on every lookup.
 *
 * A plain current read (variant `''`, the common case) is kept in one table per store from the
 * key to a slot number (`KeySlots`: a miss reads no key string), the key, value and time in
 * arrays by slot: the first read of a key adds one table place and allocates nothing else that
 * lives on (no entry object, no boxed time), so the young-generation collections that follow a
 * run of first reads have less to copy. Reads with a variant (`validAt`) keep a map of
 * variants per key beside it.
 */
export class ReadCache<T> {
  /** Plain current reads: per store, key -> slot of `latestKeys`, `latestValues`, `latestAts`. */
  private readonly latest = new Map<string, KeySlots>();
  private latestKeys: (string | undefined)[] = [];
  private latestValues: (T | undefined)[] = [];
  private latestAts = new Float64Array(MIN_SLOTS);
  /** The last key hashed and its hash: a first read looks its key up, then keeps it. */
  private hashedKey: string | undefined;
  private hashed = 0;
  /** Forgets a slot whose key its table could not place again when it grew. */
  private readonly dropSlot = (slot: number): void => this.freeSlot(slot);
  /** Slots freed by invalidation, reused first. */
  private freeSlots: number[] = [];
  private readonly variants: Nested<T> = new Map();
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

  /** The plain current read of (store, key) no older than `ttl`, if held (a value is never undefined). */
  getLatest(store: string, key: string, now: number, ttl?: number): T | undefined {
    const slot = this.latestSlot(store, key);
    if (slot < 0) return undefined;
    if (ttl !== undefined && now - (this.latestAts[slot] as number) > ttl) return undefined;
    return this.latestValues[slot];
  }

  /** Keeps the plain current read of (store, key): `value`, not undefined, read at `now`. */
  putLatest(store: string, key: string, value: T, now: number): void {
    this.makeRoom();
    let slots = this.latest.get(store);
    if (slots === undefined) {
      slots = new KeySlots(this.dropSlot);
      this.latest.set(store, slots);
    }
    const hash = this.hashOf(key);
    let slot = slots.find(key, hash, this.latestKeys);
    if (slot < 0) {
      const free = this.freeSlots.pop();
      slot = free ?? this.latestValues.length;
      if (!slots.add(hash, slot)) {
        // No place near the key's home (a pathological key set): not kept.
        if (free !== undefined) this.freeSlots.push(free);
        return;
      }
      if (slot === this.latestAts.length) {
        const ats = new Float64Array(slot * 2);
        ats.set(this.latestAts);
        this.latestAts = ats;
      }
      if (slot === this.latestKeys.length) this.latestKeys.push(key);
      else this.latestKeys[slot] = key;
      this.currentCount += 1;
    }
    if (slot === this.latestValues.length) this.latestValues.push(value);
    else this.latestValues[slot] = value;
    this.latestAts[slot] = now;
  }

  /** The read of (store, key) with `variant` (`''`: plain) no older than `ttl`, if held. */
  getRead(store: string, key: string, variant: string, now: number, ttl?: number): Entry<T> | undefined {
    if (variant === '') {
      const slot = this.latestSlot(store, key);
      if (slot < 0) return undefined;
      const entry = { value: this.latestValues[slot] as T, at: this.latestAts[slot] as number };
      return fresh(entry, now, ttl) ? entry : undefined;
    }
    const entry = this.variants.get(store)?.get(key)?.get(variant);
    return fresh(entry, now, ttl) ? entry : undefined;
  }

  putRead(store: string, key: string, variant: string, value: T, now: number): void {
    if (variant === '') this.putLatest(store, key, value, now);
    else this.put(this.variants, store, key, variant, { value, at: now });
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
    const slots = this.latest.get(store);
    if (slots !== undefined && slots.size > 0) {
      const hash = this.hashOf(key);
      const slot = slots.find(key, hash, this.latestKeys);
      if (slot >= 0) {
        slots.remove(hash, slot);
        this.freeSlot(slot);
      }
    }
    if (this.variants.size === 0) return;
    const variants = this.variants.get(store);
    const entries = variants?.get(key);
    if (!variants || !entries) return;
    this.currentCount -= entries.size;
    variants.delete(key);
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
    this.dropCurrent();
    this.lru.clear();
  }

  /** The slot of the plain current read of (store, key), or -1. */
  private latestSlot(store: string, key: string): number {
    const slots = this.latest.get(store);
    if (slots === undefined || slots.size === 0) return -1;
    return slots.find(key, this.hashOf(key), this.latestKeys);
  }

  private hashOf(key: string): number {
    if (key !== this.hashedKey) {
      this.hashed = hashKey(key);
      this.hashedKey = key;
    }
    return this.hashed;
  }

  /** Empties a slot its table no longer holds, for reuse. */
  private freeSlot(slot: number): void {
    this.latestKeys[slot] = undefined;
    this.latestValues[slot] = undefined;
    this.freeSlots.push(slot);
    this.currentCount -= 1;
  }

  private dropCurrent(): void {
    this.latest.clear();
    this.latestKeys = [];
    this.latestValues = [];
    this.latestAts = new Float64Array(MIN_SLOTS);
    this.freeSlots = [];
    this.variants.clear();
    this.scopes.clear();
    this.currentCount = 0;
  }

  /** Bounded memory: past the cap every current entry goes (dropping them only costs recomputation). */
  private makeRoom(): void {
    if (this.currentCount >= this.currentCap) this.dropCurrent();
  }

  private put(map: Nested<T>, outer: string, inner: string, variant: string, entry: Entry<T>): void {
    this.makeRoom();
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
