import {
  checkDuration,
  checkFilters,
  checkInput,
  checkKeyBound,
  checkLimit,
  checkName,
  toMs,
} from './args.js';
import { historyValidAt, pickValidAt } from './bitemporal.js';
import { encodeValue } from './canonical.js';
import { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import { pathSlot } from './indexes.js';
import {
  HISTORY_FIELDS,
  HISTORY_PARTITION_FIELDS,
  KEYS_FIELDS,
  PATH_FIELDS,
  QUERY_FIELDS,
  READ_FACT_FIELDS,
  READ_FIELDS,
} from './input-fields.js';
import type { Json, JsonObject } from './json.js';
import { firstKeyAfter, firstKeyFrom, SortedKeys } from './key-order.js';
import type { AccessPath } from './schema-graph.js';
import { matchesFilters } from './scope.js';
import type { StoreState } from './store-state.js';
import type {
  Coercion,
  HistoryInput,
  HistoryPartitionInput,
  KeysInput,
  PathInput,
  QueryInput,
  ReadFactInput,
  ReadInput,
} from './store-types.js';

/**
 * The read path of a store: picks the fact a read asks for (latest, as of `asOf`, standing at
 * `validAt`), answers from and fills the read cache (ARCHITECTURE.md D6), applies coercions, and answers
 * queries from the scope index. `IgniterStore` documents each call; it checks that the store is
 * open.
 */
export class ReadPath {
  readonly #state: StoreState;
  readonly #coercions = new Map<string, Coercion>();
  readonly #sortedKeys: SortedKeys;

  constructor(state: StoreState) {
    this.#state = state;
    this.#sortedKeys = new SortedKeys(state.log);
  }

  readFact(input: ReadFactInput): Fact | undefined {
    checkInput<ReadFactInput>(input, 'readFact input', READ_FACT_FIELDS);
    const store = checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    const fact = this.#pick(store, key, toMs(input.asOf, 'asOf'), toMs(input.validAt, 'validAt'));
    return fact && this.#coerce(fact);
  }

  keys(input: KeysInput): string[] {
    checkInput<KeysInput>(input, 'keys input', KEYS_FIELDS);
    const store = checkName(input.store, 'store');
    const prefix = checkKeyBound(input.prefix, 'prefix') ?? '';
    const after = checkKeyBound(input.after, 'after');
    const limit = checkLimit(input.limit) ?? Number.POSITIVE_INFINITY;
    const keys = this.#sortedKeys.of(store);
    const out: string[] = [];
    let i = Math.max(firstKeyFrom(keys, prefix), firstKeyAfter(keys, after));
    for (; i < keys.length && out.length < limit; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(prefix)) break;
      out.push(key);
    }
    return out;
  }

  /** Forgets what was derived from the key sets (facts were removed). */
  afterRemoval(): void {
    this.#sortedKeys.clear();
  }

  read(input: ReadInput): Json | undefined {
    checkInput<ReadInput>(input, 'read input', READ_FIELDS);
    const { cache, clock } = this.#state;
    const store = checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const ttl = checkDuration(input.ttl, 'ttl');
    // An engine that memoizes values looks the fact up on every read as of a time and hands
    // back the value it decoded for that fact before: exact and fresh, so no LRU entry (no id
    // to build, nothing to evict for answers that never repeat), and any ttl is met.
    const log = this.#state.log;
    if (
      asOf !== undefined &&
      validAt === undefined &&
      log.memoizesValues === true &&
      !this.#coercions.has(store)
    )
      return log.latestValue(store, key, asOf);
    const now = clock.now();
    if (asOf === undefined && validAt === undefined) {
      // The commonest read: the current value, cached per key until a write to the key.
      const held = cache.getLatest(store, key, now, ttl);
      if (held !== undefined) return held as Json;
      const value = this.#pickValue(store, key, undefined, undefined);
      if (value !== undefined) cache.putLatest(store, key, value, now);
      return value;
    }
    const variant = validAt === undefined ? '' : `v${validAt}`;
    // The store's length delimits it; the time and variant hold no U+0001; so ids never collide
    // (and never with the JSON array ids of queries). Cheaper than JSON.stringify per read.
    const timeTravelId =
      asOf === undefined
        ? undefined
        : `r\u0001${store.length}\u0001${store}${key}\u0001${asOf}\u0001${variant}`;
    const hit =
      timeTravelId === undefined
        ? cache.getRead(store, key, variant, now, ttl)
        : cache.getTimeTravel(timeTravelId, now, ttl);
    if (hit) return hit.value as Json;
    const value = this.#pickValue(store, key, asOf, validAt);
    if (value === undefined) return undefined;
    if (timeTravelId === undefined) cache.putRead(store, key, variant, value, now);
    else if (clock.isSettled(asOf)) cache.putTimeTravel(timeTravelId, value, now);
    return value;
  }

  history(input: HistoryInput): Fact[] {
    checkInput<HistoryInput>(input, 'history input', HISTORY_FIELDS);
    const store = checkName(input.store, 'store');
    const key = input.key === undefined ? undefined : checkName(input.key, 'key');
    const since = toMs(input.since, 'since');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const facts = this.#state.log.factsFor(store, key, { since, asOf });
    const ordered = validAt === undefined ? facts : historyValidAt(facts, validAt);
    return ordered.map((f) => this.#coerce(f));
  }

  historyPartition(input: HistoryPartitionInput): Fact[] {
    checkInput<HistoryPartitionInput>(input, 'historyPartition input', HISTORY_PARTITION_FIELDS);
    const { log, partitionIndex } = this.#state;
    const store = checkName(input.store, 'store');
    const field = checkName(input.partitionKey, 'partitionKey');
    const since = toMs(input.since, 'since');
    const asOf = toMs(input.asOf, 'asOf');
    if (input.partitionValue === undefined) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'partitionValue is required');
    }
    const seqs = partitionIndex.of(store, field).get(log.canonicalJson(input.partitionValue)) ?? [];
    return log
      .bySeqs(seqs)
      .filter(
        (f) =>
          (since === undefined || f.transactionTime >= since) &&
          (asOf === undefined || f.transactionTime <= asOf),
      )
      .map((f) => this.#coerce(f));
  }

  query(input: QueryInput): readonly Fact[] {
    checkInput<QueryInput>(input, 'query input', QUERY_FIELDS);
    const store = checkName(input.store, 'store');
    const scope = input.scope === undefined || input.scope === null ? null : checkName(input.scope, 'scope');
    const where = input.where === undefined ? undefined : checkFilters(input.where, 'where');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const limit = checkLimit(input.limit);
    const after = checkKeyBound(input.after, 'after');
    const ttl = checkDuration(input.ttl, 'ttl');
    const graph = this.#state.schemaGraph;
    let path: AccessPath | undefined;
    if (scope !== null) {
      path = graph.pathFor(store, scope);
      if (!path) {
        throw new IgniterError(
          'ERR_NO_PATH',
          `no access path is registered for store "${store}", scope "${scope}"`,
          {
            details: { store, scope },
          },
        );
      }
    } else {
      // A registered path with exactly these filters is an index kept by every write.
      path = graph.pathWithFilters(store, where ?? {});
      if (!path)
        return this.#scan(store, where ?? {}, asOf, validAt, after, limit ?? Number.POSITIVE_INFINITY);
    }
    const all = this.#queryPath(path, asOf, validAt, ttl);
    const narrowed =
      scope !== null && where !== undefined ? all.filter((f) => matchesFilters(f.value, where)) : all;
    if (after === undefined && limit === undefined) return narrowed;
    const from = firstKeyAfter(
      narrowed.map((f) => f.key),
      after,
    );
    return Object.freeze(narrowed.slice(from, limit === undefined ? undefined : from + limit));
  }

  /** Every fact a registered path holds (as of `asOf`, valid at `validAt`), cached. */
  #queryPath(
    path: AccessPath,
    asOf: number | undefined,
    validAt: number | undefined,
    ttl: number | undefined,
  ): readonly Fact[] {
    const { log, cache, clock, scopeIndex } = this.#state;
    const { store, scope } = path;
    const now = clock.now();
    const maxAge = minDefined(ttl, path.cacheTtl);
    if (asOf === undefined && validAt === undefined) {
      const hit = cache.getScope(store, pathSlot(scope), '', now, maxAge);
      if (hit) return hit.value as readonly Fact[];
      const keys = [...scopeIndex.members(path)].sort();
      const result = Object.freeze(keys.map((k) => this.#coerce(log.latestFor(store, k) as Fact)));
      cache.putScope(store, pathSlot(scope), '', result, now);
      return result;
    }
    // The filters are part of the id: a path registered again must not reuse the old answers.
    const id = JSON.stringify(['q', store, scope, asOf ?? null, validAt ?? null, path.filters]);
    const cacheable = asOf !== undefined && clock.isSettled(asOf);
    const hit = cacheable ? cache.getTimeTravel(id, now, maxAge) : undefined;
    if (hit) return hit.value as readonly Fact[];
    const result = this.#scan(store, path.filters, asOf, validAt, undefined, Number.POSITIVE_INFINITY);
    if (cacheable) cache.putTimeTravel(id, result, now);
    return result;
  }

  /** The picked fact of each key after `after` whose value matches `where`, up to `limit`. */
  #scan(
    store: string,
    where: JsonObject,
    asOf: number | undefined,
    validAt: number | undefined,
    after: string | undefined,
    limit: number,
  ): readonly Fact[] {
    const keys = this.#sortedKeys.of(store);
    const matches: Fact[] = [];
    for (let i = firstKeyAfter(keys, after); i < keys.length && matches.length < limit; i++) {
      const fact = this.#pick(store, keys[i] as string, asOf, validAt);
      if (fact && matchesFilters(fact.value, where)) matches.push(this.#coerce(fact));
    }
    return Object.freeze(matches);
  }

  /** Checks and registers an access path; its index and cached answers start afresh. */
  registerPath(input: PathInput): void {
    checkInput<PathInput>(input, 'registerPath input', PATH_FIELDS);
    const consumers = input.consumers ?? [];
    if (!Array.isArray(consumers) || consumers.some((c) => typeof c !== 'function')) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'consumers must be an array of functions');
    }
    if (input.lookup !== undefined && typeof input.lookup !== 'string') {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'lookup must be a string');
    }
    const path: AccessPath = Object.freeze({
      store: checkName(input.store, 'store'),
      scope: input.scope === undefined || input.scope === null ? null : checkName(input.scope, 'scope'),
      filters: checkFilters(input.filters, 'filters'),
      cacheTtl: checkDuration(input.cacheTtl, 'cacheTtl'),
      consumers: Object.freeze([...consumers]),
      lookup: input.lookup,
    });
    this.#state.schemaGraph.registerPath(path);
    this.#state.scopeIndex.drop(path.store, path.scope);
    this.#state.cache.invalidateScope(path.store, pathSlot(path.scope));
  }

  /** Checks and registers a store's coercion; cached values were read without it. */
  registerCoercion(store: string, coercion: Coercion): void {
    const name = checkName(store, 'store');
    if (typeof coercion !== 'function') {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'coercion must be a function');
    }
    this.#coercions.set(name, coercion);
    this.#state.cache.clear();
  }

  /**
   * Live facts with seq > `after` that `accept` takes, at most `limit` (a changefeed resuming
   * from the log, the protocol's replay and sync through `store.committedLog()`). Looks up
   * windows of seqs, O(limit + pruned seqs skipped), unless pruning left live facts so sparse that
   * one pass over them is expected to be cheaper.
   */
  factsAfter(after: number, limit: number, accept: (fact: Fact) => boolean = () => true): Fact[] {
    const log = this.#state.log;
    const out: Fact[] = [];
    const last = log.lastSeq();
    const live = log.size();
    if (live === 0 || limit <= 0) return out;
    if (limit * (last - after) > live * live) {
      for (const fact of log.all()) {
        if (fact.seq <= after || !accept(fact)) continue;
        out.push(fact);
        if (out.length >= limit) break;
      }
      return out;
    }
    let from = after + 1;
    while (out.length < limit && from <= last) {
      const count = Math.min(last - from + 1, Math.max(limit - out.length, 1024));
      const seqs = Array.from({ length: count }, (_, i) => from + i);
      for (const fact of log.bySeqs(seqs)) {
        if (!accept(fact)) continue;
        out.push(fact);
        if (out.length >= limit) break;
      }
      from += count;
    }
    return out;
  }

  /**
   * The (coerced) value of the fact a read picks. Without a coercion or `validAt`, only the
   * value is asked for: the engine need not build the fact.
   */
  #pickValue(
    store: string,
    key: string,
    asOf: number | undefined,
    validAt: number | undefined,
  ): Json | undefined {
    if (validAt === undefined && !this.#coercions.has(store))
      return this.#state.log.latestValue(store, key, asOf);
    const fact = this.#pick(store, key, asOf, validAt);
    return fact && this.#coerce(fact).value;
  }

  /** The fact a read picks: latest as of `asOf`, or the one standing at `validAt`. */
  #pick(store: string, key: string, asOf: number | undefined, validAt: number | undefined): Fact | undefined {
    const log = this.#state.log;
    if (validAt === undefined) return log.latestFor(store, key, asOf);
    return pickValidAt(log.factsFor(store, key, { asOf }), validAt);
  }

  /** Applies the store's coercion; a failing coercion is reported and yields the raw fact. */
  #coerce(fact: Fact): Fact {
    const coercion = this.#coercions.get(fact.store);
    if (!coercion) return fact;
    let coerced: Json;
    try {
      const result = coercion(fact.value, fact.schemaVersion);
      if (result === fact.value) return fact;
      // Validates the coercion's output (a non-JSON result is a coercion failure) and freezes a copy.
      coerced = encodeValue(result, 'coerced value').copy;
    } catch (error) {
      this.#state.reportRuleError('coercion', fact, error);
      return fact;
    }
    return Object.freeze({ ...fact, value: coerced });
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
