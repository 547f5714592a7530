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
  type TimeBounds,
} from './types.js';

/** Version of the pure-TypeScript engine (follows the package version). */
export const TS_ENGINE_VERSION = '0.1.0';

interface StoreLog {
  facts: Fact[];
  byKey: Map<string, Fact[]>;
}

/** Index of the last fact in a tt-ordered list with transactionTime <= asOf, or -1. */
function lastAtOrBefore(facts: readonly Fact[], asOf: number): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((facts[mid] as Fact).transactionTime <= asOf) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** First index with transactionTime >= since. */
function firstAtOrAfter(facts: readonly Fact[], since: number): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((facts[mid] as Fact).transactionTime < since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The facts of a seq-ordered (hence tt-ordered, DESIGN D3) list within inclusive bounds. */
function sliceBounds(facts: readonly Fact[], bounds: TimeBounds | undefined): Fact[] {
  const start = bounds?.since === undefined ? 0 : firstAtOrAfter(facts, bounds.since);
  const end = bounds?.asOf === undefined ? facts.length : lastAtOrBefore(facts, bounds.asOf) + 1;
  return start >= end ? [] : facts.slice(start, end);
}

/**
 * The pure-TypeScript fact log: always available, the fallback when the native addon is
 * missing. Facts live on the V8 heap as deep-frozen objects.
 */
export class TsEngine implements Engine {
  readonly kind: EngineKind = 'ts';
  readonly version: string = TS_ENGINE_VERSION;
  private readonly maxValueBytes: number;
  private log: Fact[] = [];
  /**
   * Facts by id, built on the first lookup by id rather than at load: a replayed log of 1M facts
   * then opens without a million map entries that most stores never use.
   */
  private byIdIndex: Map<string, Fact> | undefined;
  private readonly byStore = new Map<string, StoreLog>();
  private highSeq = 0;

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
    let seq = this.highSeq;
    for (const input of inputs) {
      const causation = input.causeLatest
        ? this.latestIdBefore(built, input.store, input.key)
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
      built.push(
        Object.freeze({
          id: uuidv7(input.transactionTime),
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
      const fact = this.log[i] as Fact;
      if (fact.seq <= seq) break;
      dropped.push(fact.id);
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

  remove(ids: Iterable<string>): Fact[] {
    const removed: Fact[] = [];
    const touched = new Set<string>();
    for (const id of ids) {
      const fact = this.idIndex().get(id);
      if (!fact) continue;
      removed.push(fact);
      this.idIndex().delete(id);
      touched.add(fact.store);
    }
    if (removed.length === 0) return removed;
    const gone = new Set(removed);
    this.log = this.log.filter((f) => !gone.has(f));
    for (const store of touched) {
      const storeLog = this.byStore.get(store) as StoreLog;
      storeLog.facts = storeLog.facts.filter((f) => !gone.has(f));
      if (storeLog.facts.length === 0) {
        this.byStore.delete(store);
        continue;
      }
      for (const fact of removed) {
        if (fact.store !== store) continue;
        const list = storeLog.byKey.get(fact.key);
        if (!list) continue;
        const kept = list.filter((f) => !gone.has(f));
        if (kept.length === 0) storeLog.byKey.delete(fact.key);
        else storeLog.byKey.set(fact.key, kept);
      }
    }
    removed.sort((a, b) => a.seq - b.seq);
    return removed;
  }

  advanceSeq(seq: number): void {
    if (seq > this.highSeq) this.highSeq = seq;
  }

  latestFor(store: string, key: string, asOf?: number): Fact | undefined {
    const list = this.byStore.get(store)?.byKey.get(key);
    if (!list || list.length === 0) return undefined;
    if (asOf === undefined) return list[list.length - 1];
    const index = lastAtOrBefore(list, asOf);
    return index < 0 ? undefined : list[index];
  }

  latestValue(store: string, key: string, asOf?: number): Json | undefined {
    return this.latestFor(store, key, asOf)?.value;
  }

  factsFor(store: string, key: string | undefined, bounds?: TimeBounds): Fact[] {
    const storeLog = this.byStore.get(store);
    if (!storeLog) return [];
    const list = key === undefined ? storeLog.facts : storeLog.byKey.get(key);
    return list ? sliceBounds(list, bounds) : [];
  }

  keys(store: string): string[] {
    const storeLog = this.byStore.get(store);
    return storeLog ? [...storeLog.byKey.keys()] : [];
  }

  stores(): string[] {
    return [...this.byStore.keys()];
  }

  byId(id: string): Fact | undefined {
    return this.idIndex().get(id);
  }

  bySeqs(seqs: readonly number[]): Fact[] {
    const out: Fact[] = [];
    for (const seq of seqs) {
      const fact = this.factWithSeq(seq);
      if (fact) out.push(fact);
    }
    return out;
  }

  all(bounds?: TimeBounds): Fact[] {
    return sliceBounds(this.log, bounds);
  }

  last(): Fact | undefined {
    return this.log[this.log.length - 1];
  }

  restorable(producerKind: string): Fact[] {
    return this.log.filter((f) => f.idempotencyKey !== null || f.producer?.kind === producerKind);
  }

  size(): number {
    return this.log.length;
  }

  lastSeq(): number {
    return this.highSeq;
  }

  /** The id of the key's latest fact, counting `pending` facts not inserted yet; null for none. */
  private latestIdBefore(pending: readonly Fact[], store: string, key: string): string | null {
    for (let i = pending.length - 1; i >= 0; i--) {
      const fact = pending[i] as Fact;
      if (fact.store === store && fact.key === key) return fact.id;
    }
    return this.latestFor(store, key)?.id ?? null;
  }

  /** The id index, built from the log on first use. Cost: O(n) once. */
  private idIndex(): Map<string, Fact> {
    if (!this.byIdIndex) {
      const index = new Map<string, Fact>();
      for (const fact of this.log) index.set(fact.id, fact);
      this.byIdIndex = index;
    }
    return this.byIdIndex;
  }

  /** The live fact with this seq: a binary search of the log, which is in seq order. */
  private factWithSeq(seq: number): Fact | undefined {
    const log = this.log;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((log[mid] as Fact).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    const fact = log[lo];
    return fact?.seq === seq ? fact : undefined;
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
