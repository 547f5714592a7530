import { canonicalJsonTs, encodeValue } from '../canonical.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { sha256HexTs } from '../hash.js';
import { deepFreeze, type Json } from '../json.js';
import { uuidv7 } from '../uuid.js';
import {
  type AppendInput,
  DEFAULT_MAX_VALUE_BYTES,
  type Engine,
  type EngineKind,
  type EngineOptions,
  type LazyFacts,
  type PreloadedFacts,
  type StoreCounts,
  type TimeBounds,
} from './types.js';

/** Version of the pure-TypeScript engine (follows the package version). */
export const TS_ENGINE_VERSION = '0.1.0';

/**
 * A fact in the engine's lists: the fact itself, or the index of a fact not decoded yet in the
 * {@link LazyFacts} the engine adopted.
 */
type Entry = Fact | number;

interface StoreLog {
  facts: Entry[];
  byKey: Map<string, Entry[]>;
}

/** Index of the last entry in a tt-ordered list with transactionTime <= asOf, or -1. */
function lastAtOrBefore(list: readonly Entry[], asOf: number, timeOf: (entry: Entry) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeOf(list[mid] as Entry) <= asOf) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** First index with transactionTime >= since. */
function firstAtOrAfter(list: readonly Entry[], since: number, timeOf: (entry: Entry) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeOf(list[mid] as Entry) < since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The pure-TypeScript fact log: always available, the fallback when the native addon is
 * missing. Facts live on the V8 heap as deep-frozen objects; a log adopted from a file
 * backend's open keeps its facts as undecoded bytes until each is first read.
 */
export class TsEngine implements Engine {
  readonly kind: EngineKind = 'ts';
  readonly version: string = TS_ENGINE_VERSION;
  private readonly maxValueBytes: number;
  private log: Entry[] = [];
  /**
   * Facts by id, built on the first lookup by id rather than at load: a replayed log of 1M facts
   * then opens without a million map entries that most stores never use.
   */
  private byIdIndex: Map<string, Entry> | undefined;
  private readonly byStore = new Map<string, StoreLog>();
  private highSeq = 0;
  /** The adopted log that numeric entries index, if any. */
  private deferred: LazyFacts | undefined;
  private readonly timeOf = (entry: Entry): number =>
    typeof entry === 'number' ? (this.deferred as LazyFacts).transactionTimeAt(entry) : entry.transactionTime;
  private readonly factOf = (entry: Entry): Fact =>
    typeof entry === 'number' ? (this.deferred as LazyFacts).fact(entry) : entry;

  constructor(options: EngineOptions = {}) {
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  }

  canonicalJson(value: unknown): string {
    return canonicalJsonTs(value);
  }

  valueHash(value: unknown): string {
    return sha256HexTs(canonicalJsonTs(value));
  }

  sha256Hex(text: string): string {
    return sha256HexTs(text);
  }

  /** SHA-256 hex of canonical JSON text; the native engine overrides it. */
  protected hashCanonical(canonical: string): string {
    return sha256HexTs(canonical);
  }

  append(inputs: readonly AppendInput[]): Fact[] {
    const built: Fact[] = [];
    // The id of each key's latest fact among the inputs so far (a writeMany's batch is one call).
    const latestInCall = inputs.length > 1 ? new Map<string, string>() : undefined;
    let seq = this.highSeq;
    for (const input of inputs) {
      const slot = latestInCall && JSON.stringify([input.store, input.key]);
      const causation = input.causeLatest
        ? ((slot && latestInCall?.get(slot)) ?? this.latestIdBefore(input.store, input.key))
        : input.causation;
      const { canonical, copy } = encodeValue(input.value);
      if (canonical.length * 3 > this.maxValueBytes) {
        const bytes = Buffer.byteLength(canonical, 'utf8');
        if (bytes > this.maxValueBytes) {
          throw new IgniterError(
            'ERR_VALUE_TOO_LARGE',
            `value of ${input.store}/${input.key} is ${bytes} bytes of canonical JSON; the limit is ${this.maxValueBytes}`,
          );
        }
      }
      seq += 1;
      const id = uuidv7(input.transactionTime);
      if (slot) latestInCall?.set(slot, id);
      built.push(
        Object.freeze({
          id,
          seq,
          store: input.store,
          key: input.key,
          value: copy,
          valueHash: this.hashCanonical(canonical),
          causation,
          transactionTime: input.transactionTime,
          validTime: input.validTime,
          schemaVersion: input.schemaVersion,
          producer: input.producer,
          derivation: input.derivation,
          idempotencyKey: input.idempotencyKey,
        }),
      );
    }
    for (const fact of built) this.insert(fact);
    return built;
  }

  truncateAfter(seq: number): void {
    const dropped: string[] = [];
    for (let i = this.log.length - 1; i >= 0; i--) {
      const entry = this.log[i] as Entry;
      if (this.seqOf(entry) <= seq) break;
      dropped.push(this.idOf(entry));
    }
    if (dropped.length > 0) this.remove(dropped);
    // A call that throws consumes no seq.
    this.highSeq = seq;
  }

  load(facts: Iterable<Fact>): void {
    for (const fact of facts) {
      if (fact.seq <= this.highSeq) {
        throw new IgniterError(
          'ERR_CORRUPT_LOG',
          `fact ${fact.id} has seq ${fact.seq}, not above the previous seq ${this.highSeq}`,
        );
      }
      this.insert(Object.isFrozen(fact) ? fact : Object.freeze({ ...fact, value: deepFreeze(fact.value) }));
    }
  }

  /**
   * Takes a backend's {@link LazyFacts} as this engine's facts, decoding none of them
   * (each is decoded on its first read). Returns false, taking nothing, for a native preloaded
   * log or when this engine already holds facts. Cost: O(facts) for the indexes, no decoding.
   */
  adopt(preloaded: PreloadedFacts): boolean {
    if (preloaded.engine !== 'ts' || this.log.length > 0 || this.deferred) return false;
    const count = preloaded.count;
    for (let i = 1; i < count; i++) {
      if (preloaded.seqAt(i) <= preloaded.seqAt(i - 1)) {
        throw new IgniterError(
          'ERR_CORRUPT_LOG',
          `fact ${preloaded.idAt(i)} has seq ${preloaded.seqAt(i)}, not above the previous seq ${preloaded.seqAt(i - 1)}`,
        );
      }
    }
    if (count > 0 && preloaded.seqAt(0) <= this.highSeq) {
      throw new IgniterError(
        'ERR_CORRUPT_LOG',
        `fact ${preloaded.idAt(0)} has seq ${preloaded.seqAt(0)}, not above the previous seq ${this.highSeq}`,
      );
    }
    this.deferred = preloaded;
    const log: Entry[] = new Array(count);
    // Lists per (store, key) pair and per store, filled in seq order; pairs and stores are
    // registered in order of their first fact, as inserting fact by fact would.
    const byPair: Entry[][] = [];
    const pairOrder: number[] = [];
    const byStoreIndex: Entry[][] = [];
    for (let i = 0; i < count; i++) {
      log[i] = i;
      const pair = preloaded.keyIdAt(i);
      const list = byPair[pair];
      if (list) {
        list.push(i);
      } else {
        byPair[pair] = [i];
        pairOrder.push(pair);
      }
      const storeIndex = preloaded.storeIndexOfKeyId(pair);
      const storeList = byStoreIndex[storeIndex];
      if (storeList) storeList.push(i);
      else byStoreIndex[storeIndex] = [i];
    }
    for (const pair of pairOrder) {
      const store = preloaded.storeOfKeyId(pair);
      let storeLog = this.byStore.get(store);
      if (!storeLog) {
        storeLog = { facts: byStoreIndex[preloaded.storeIndexOfKeyId(pair)] as Entry[], byKey: new Map() };
        this.byStore.set(store, storeLog);
      }
      storeLog.byKey.set(preloaded.keyOfKeyId(pair), byPair[pair] as Entry[]);
    }
    this.log = log;
    if (count > 0) this.highSeq = Math.max(this.highSeq, preloaded.seqAt(count - 1));
    return true;
  }

  remove(ids: Iterable<string>): Fact[] {
    const removed: Entry[] = [];
    const touched = new Set<string>();
    const index = this.idIndex();
    for (const id of ids) {
      const entry = index.get(id);
      if (entry === undefined) continue;
      removed.push(entry);
      index.delete(id);
      touched.add(this.factOf(entry).store);
    }
    if (removed.length === 0) return [];
    const gone = new Set(removed);
    const removedFacts = removed.map(this.factOf);
    // An undecoded fact's bytes must not outlive its removal (a prune erases values).
    for (const entry of removed) if (typeof entry === 'number') (this.deferred as LazyFacts).forget(entry);
    this.log = this.log.filter((entry) => !gone.has(entry));
    for (const store of touched) {
      const storeLog = this.byStore.get(store) as StoreLog;
      storeLog.facts = storeLog.facts.filter((entry) => !gone.has(entry));
      if (storeLog.facts.length === 0) {
        this.byStore.delete(store);
        continue;
      }
      for (const fact of removedFacts) {
        if (fact.store !== store) continue;
        const list = storeLog.byKey.get(fact.key);
        if (!list) continue;
        const kept = list.filter((entry) => !gone.has(entry));
        if (kept.length === 0) storeLog.byKey.delete(fact.key);
        else storeLog.byKey.set(fact.key, kept);
      }
    }
    removedFacts.sort((a, b) => a.seq - b.seq);
    return removedFacts;
  }

  advanceSeq(seq: number): void {
    if (seq > this.highSeq) this.highSeq = seq;
  }

  latestFor(store: string, key: string, asOf?: number): Fact | undefined {
    const entry = this.latestEntry(store, key, asOf);
    return entry === undefined ? undefined : this.factOf(entry);
  }

  latestValue(store: string, key: string, asOf?: number): Json | undefined {
    return this.latestFor(store, key, asOf)?.value;
  }

  factsFor(store: string, key: string | undefined, bounds?: TimeBounds): Fact[] {
    const storeLog = this.byStore.get(store);
    if (!storeLog) return [];
    const list = key === undefined ? storeLog.facts : storeLog.byKey.get(key);
    return list ? this.sliceBounds(list, bounds) : [];
  }

  keys(store: string): string[] {
    const storeLog = this.byStore.get(store);
    return storeLog ? [...storeLog.byKey.keys()] : [];
  }

  stores(): string[] {
    return [...this.byStore.keys()];
  }

  storeCounts(store: string): StoreCounts {
    const storeLog = this.byStore.get(store);
    return { factCount: storeLog?.facts.length ?? 0, keyCount: storeLog?.byKey.size ?? 0 };
  }

  byId(id: string): Fact | undefined {
    const entry = this.idIndex().get(id);
    return entry === undefined ? undefined : this.factOf(entry);
  }

  bySeqs(seqs: readonly number[]): Fact[] {
    const out: Fact[] = [];
    for (const seq of seqs) {
      const entry = this.entryWithSeq(seq);
      if (entry !== undefined) out.push(this.factOf(entry));
    }
    return out;
  }

  all(bounds?: TimeBounds): Fact[] {
    return this.sliceBounds(this.log, bounds);
  }

  last(): Fact | undefined {
    const entry = this.log[this.log.length - 1];
    return entry === undefined ? undefined : this.factOf(entry);
  }

  restorable(producerKind: string): Fact[] {
    const out: Fact[] = [];
    const deferred = this.deferred;
    for (const entry of this.log) {
      if (typeof entry === 'number' && !(deferred as LazyFacts).mayRestore(entry)) continue;
      const fact = this.factOf(entry);
      if (fact.idempotencyKey !== null || fact.producer?.kind === producerKind) out.push(fact);
    }
    return out;
  }

  size(): number {
    return this.log.length;
  }

  lastSeq(): number {
    return this.highSeq;
  }

  private seqOf(entry: Entry): number {
    return typeof entry === 'number' ? (this.deferred as LazyFacts).seqAt(entry) : entry.seq;
  }

  private idOf(entry: Entry): string {
    return typeof entry === 'number' ? (this.deferred as LazyFacts).idAt(entry) : entry.id;
  }

  /** The facts of a seq-ordered (hence tt-ordered, ARCHITECTURE.md D3) list within inclusive bounds. */
  private sliceBounds(list: readonly Entry[], bounds: TimeBounds | undefined): Fact[] {
    const start = bounds?.since === undefined ? 0 : firstAtOrAfter(list, bounds.since, this.timeOf);
    const end = bounds?.asOf === undefined ? list.length : lastAtOrBefore(list, bounds.asOf, this.timeOf) + 1;
    if (start >= end) return [];
    const slice = list.slice(start, end);
    // Without an adopted log every entry is a fact already.
    return this.deferred ? slice.map(this.factOf) : (slice as Fact[]);
  }

  /** The entry of the highest-seq fact of (store, key) with transactionTime <= asOf. */
  private latestEntry(store: string, key: string, asOf?: number): Entry | undefined {
    const list = this.byStore.get(store)?.byKey.get(key);
    if (!list || list.length === 0) return undefined;
    if (asOf === undefined) return list[list.length - 1];
    const index = lastAtOrBefore(list, asOf, this.timeOf);
    return index < 0 ? undefined : list[index];
  }

  /** The id of the key's latest stored fact; null for none. */
  private latestIdBefore(store: string, key: string): string | null {
    const entry = this.latestEntry(store, key);
    return entry === undefined ? null : this.idOf(entry);
  }

  /** The id index, built from the log on first use. Cost: O(n) once. */
  private idIndex(): Map<string, Entry> {
    if (!this.byIdIndex) {
      const index = new Map<string, Entry>();
      for (const entry of this.log) index.set(this.idOf(entry), entry);
      this.byIdIndex = index;
    }
    return this.byIdIndex;
  }

  /** The live entry with this seq: a binary search of the log, which is in seq order. */
  private entryWithSeq(seq: number): Entry | undefined {
    const log = this.log;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqOf(log[mid] as Entry) < seq) lo = mid + 1;
      else hi = mid;
    }
    const entry = log[lo];
    return entry !== undefined && this.seqOf(entry) === seq ? entry : undefined;
  }

  private insert(fact: Fact): void {
    this.log.push(fact);
    this.byIdIndex?.set(fact.id, fact);
    let storeLog = this.byStore.get(fact.store);
    if (!storeLog) {
      storeLog = { facts: [], byKey: new Map() };
      this.byStore.set(fact.store, storeLog);
    }
    storeLog.facts.push(fact);
    const list = storeLog.byKey.get(fact.key);
    if (list) list.push(fact);
    else storeLog.byKey.set(fact.key, [fact]);
    if (fact.seq > this.highSeq) this.highSeq = fact.seq;
  }
}
