import {
  checkCausation,
  checkDuration,
  checkExpectation,
  checkFilters,
  checkIdempotencyKey,
  checkMetaObject,
  checkName,
  checkOptions,
  checkSchemaVersion,
  checkWritableStore,
  type Time,
  toMs,
} from './args.js';
import type { Backend, PurgedRange, SegmentManifest, StorageStats } from './backend.js';
import { historyValidAt, pickValidAt } from './bitemporal.js';
import { encodeValue } from './canonical.js';
import type { ChangeSink, CommitKind } from './change-event.js';
import { createEngine } from './engine/select.js';
import { type AppendInput, DEFAULT_MAX_VALUE_BYTES, type Engine, type EngineKind } from './engine/types.js';
import { IgniterError } from './errors.js';
import { type Fact, type FactRef, toFactRef } from './fact.js';
import { IdempotencyIndex, PartitionIndex, pathSlot, ScopeIndex } from './indexes.js';
import { backupStore } from './integrity/backup.js';
import type { BackupResult, VerifyResult } from './integrity/types.js';
import { verifyStore } from './integrity/verify.js';
import { isJsonObject, type Json } from './json.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import type {
  CompactionActivity,
  CompactionResult,
  PruneInput,
  PruneResult,
  RetentionPolicy,
} from './lifecycle/types.js';
import { buildLineage, type CausationStep, causationSteps, type Lineage } from './lineage.js';
import { loadOptional } from './optional-package.js';
import { ReadCache } from './read-cache.js';
import { RuleRegistry } from './rules/registry.js';
import type { DerivationInput, ProjectionInput, RelationInput, ScatterInput } from './rules/types.js';
import { type AccessPath, type ConsumerEvent, SchemaGraph } from './schema-graph.js';
import { matchesFilters } from './scope.js';
import type {
  AppendEventInput,
  Coercion,
  Expectation,
  HistoryInput,
  HistoryPartitionInput,
  PathInput,
  QueryInput,
  ReadInput,
  StoreOptions,
  WriteInput,
} from './store-types.js';
import { uuidv7 } from './uuid.js';

const DEFAULT_LRU_CAP = 1000;
const BACKEND_OPTION_KEYS = [
  'durability',
  'groupCommitMs',
  'groupCommitBytes',
  'repair',
  'maxFrameBytes',
] as const;

/** A write whose arguments have been checked, ready for the engine. */
interface PreparedWrite {
  input: Omit<AppendInput, 'transactionTime'>;
  expect: Expectation | undefined;
  explicitCausation: boolean;
  /** An append: the key is a UUIDv7 minted at commit from the transaction time (`input.key` is unused). */
  freshKey?: true;
}

/** Called after each committed fact, once consumers and the changefeed have seen it. */
export type CommitListener = (fact: Fact, kind: CommitKind) => void;

/**
 * What a descriptor registration answers, as `@igniter/protocol` defines it (its `Receipt` has
 * more fields). Declared here structurally so that core never depends on the protocol package.
 */
export interface ProtocolReceipt {
  /** Receipt format version. */
  readonly schema_version: 1;
  /** The descriptor kind, or null when it could not be read. */
  readonly kind: string | null;
  /** What the registration did. */
  readonly status: 'accepted' | 'unchanged' | 'conflict' | 'rejected';
  /** Non-fatal remarks. */
  readonly warnings: readonly string[];
  /** Why it was rejected or conflicted. */
  readonly errors: readonly string[];
}

/**
 * The part of `@igniter/protocol`'s `Interpreter` that core calls. `store.protocol<Interpreter>()`
 * gives the full type to code that imports the protocol package.
 */
export interface ProtocolInterpreter {
  /** Registers a descriptor; `replace` overwrites a different one of the same (kind, name). */
  register(descriptor: unknown, options?: { replace?: boolean }): ProtocolReceipt;
}

function reportDefault(error: IgniterError): void {
  process.emitWarning(error);
}

/**
 * An embedded, append-only, bitemporal fact store. Every write is an immutable fact with a
 * commit `seq`, a transaction time, an optional valid time, a SHA-256 value hash and a
 * causation link. All calls are synchronous except `flush`, `close`, `backup` and `verify`.
 * After `close()`, every method throws `ERR_CLOSED` (the getters keep working). A call that
 * throws leaves the store exactly as it was.
 */
export class IgniterStore {
  /** Which engine runs the fact log. */
  readonly engine: EngineKind;
  /** Registered paths, projections and derivations. */
  readonly schemaGraph = new SchemaGraph();
  /** The changefeed given in the options (a `Changefeed`, or any `ChangeSink`), if any. */
  readonly changefeed: ChangeSink | undefined;

  readonly #log: Engine;
  readonly #backend: Backend | undefined;
  readonly #cache: ReadCache<unknown>;
  readonly #clock: () => number;
  readonly #onRuleError: (error: IgniterError) => void;
  readonly #coercions = new Map<string, Coercion>();
  readonly #scopeIndex: ScopeIndex;
  readonly #partitionIndex: PartitionIndex;
  readonly #idempotency = new IdempotencyIndex();
  readonly #listeners: CommitListener[] = [];
  /** Committed facts waiting for their changefeed event, in seq order (see #publishReady). */
  readonly #unpublished: Array<{ fact: Fact; kind: CommitKind; ready: boolean }> = [];
  #rules: RuleRegistry | undefined;
  readonly #lifecycle: Lifecycle = new Lifecycle(this);
  readonly #maxValueBytes: number;
  #lastTransactionTime = Number.NEGATIVE_INFINITY;
  #closed = false;
  #closing: Promise<void> | undefined;
  #protocol: ProtocolInterpreter | undefined;

  /**
   * Creates a store. With a `backend`, replays it before returning (cost: the size of the log).
   * Throws `ERR_INVALID_ARGUMENT` for bad options and `ERR_NATIVE_UNAVAILABLE` when the native
   * engine is forced and cannot load.
   */
  constructor(options: StoreOptions = {}) {
    checkOptions<StoreOptions>(options, 'options');
    const lruCap = options.lruCap ?? DEFAULT_LRU_CAP;
    if (!Number.isInteger(lruCap) || lruCap < 0) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'lruCap must be an integer >= 0');
    }
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'clock must be a function returning ms');
    }
    if (options.onRuleError !== undefined && typeof options.onRuleError !== 'function') {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'onRuleError must be a function');
    }
    const maxValueBytes = options.maxValueBytes;
    if (maxValueBytes !== undefined && (!Number.isInteger(maxValueBytes) || maxValueBytes < 1)) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'maxValueBytes must be an integer >= 1');
    }
    this.#maxValueBytes = maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#log = createEngine(options.engine ?? 'auto', { maxValueBytes: this.#maxValueBytes });
    this.engine = this.#log.kind;
    this.#scopeIndex = new ScopeIndex(this.#log);
    this.#partitionIndex = new PartitionIndex(this.#log);
    this.#clock = options.clock ?? Date.now;
    this.#onRuleError = options.onRuleError ?? reportDefault;
    this.#cache = new ReadCache(lruCap);
    this.#backend = options.backend;
    this.changefeed = options.changefeed;
    try {
      if (this.#backend) this.#hydrate(this.#backend);
      this.#backend?.onPurge?.((purged) => this.#forgetPurged(purged));
      this.changefeed?.attach({
        factsAfter: (after, limit) => this.#factsAfter(after, limit),
        lastSeq: () => this.#log.lastSeq(),
      });
    } catch (error) {
      // A store that failed to open must not keep its backend (and the backend's lock).
      this.#closed = true;
      this.#backend?.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Opens a file store: `path` is the log file (a new one is created). Loads
   * `@igniter/backend-file` lazily; `options` are store and backend options together.
   * Throws `ERR_MISSING_PACKAGE` when that package is not installed, `ERR_LOCKED` when the log is
   * open elsewhere, and the backend's recovery errors. Cost: replaying the log.
   */
  static open(
    pathOrBackend: string | Backend,
    options: StoreOptions & Record<string, unknown> = {},
  ): IgniterStore {
    if (typeof pathOrBackend !== 'string') return new IgniterStore({ ...options, backend: pathOrBackend });
    const storeOptions: Record<string, unknown> = { ...options };
    const backendOptions: Record<string, unknown> = {};
    for (const key of BACKEND_OPTION_KEYS) {
      if (key in storeOptions) {
        backendOptions[key] = storeOptions[key];
        delete storeOptions[key];
      }
    }
    const { FileBackend } = loadOptional<{
      FileBackend: new (path: string, options: Record<string, unknown>) => Backend;
    }>('@igniter/backend-file');
    return new IgniterStore({
      ...(storeOptions as StoreOptions),
      backend: new FileBackend(pathOrBackend, backendOptions),
    });
  }

  // ---------------------------------------------------------------- writing

  /**
   * Commits a value for (store, key) and returns the new fact. `causation` defaults to the id of
   * the current latest fact of the key. Throws `ERR_INVALID_ARGUMENT`, `ERR_INVALID_VALUE`,
   * `ERR_VALUE_TOO_LARGE`, `ERR_RESERVED_NAME`, `ERR_CONFLICT` (expect / idempotencyKey) or
   * `ERR_CLOSED`, changing nothing. Cost: one value walk and hash, plus index upkeep per path.
   */
  write(input: WriteInput): Fact {
    this.#assertOpen();
    const prepared = this.#prepareWrite(input, 'write');
    const existing = this.#idempotentRepeat(prepared.input);
    if (existing) return existing;
    this.#checkExpectation(prepared);
    return this.#commit(prepared, 'write');
  }

  /**
   * Bulk load: validates every input first (values, names, expectations, idempotency keys,
   * earlier inputs of the batch included); if any fails, throws and writes nothing. Then commits
   * them in order as if by `write()`. Cost: two value walks per input.
   */
  writeMany(inputs: readonly WriteInput[]): Fact[] {
    this.#assertOpen();
    if (!Array.isArray(inputs)) throw new IgniterError('ERR_INVALID_ARGUMENT', 'writeMany takes an array');
    const prepared = inputs.map((input, i) => this.#prepareWrite(input, `inputs[${i}]`));
    this.#validateBatch(prepared);
    return prepared.map((p) => {
      const existing = this.#idempotentRepeat(p.input);
      return existing ?? this.#commit(p, 'write');
    });
  }

  /**
   * Appends an event to a history store under a fresh UUIDv7 key, with null causation; it is a
   * fact like any other (indexes, consumers, changefeed, rules). `partitionKey` builds that
   * field's partition index eagerly. Throws as `write` does (`ERR_INVALID_VALUE` when the event
   * is not a JSON object). Cost: as `write`.
   */
  append(input: AppendEventInput): Fact {
    this.#assertOpen();
    checkOptions<AppendEventInput>(input, 'append input');
    const store = checkWritableStore(input.history, 'history');
    if (!isJsonObject(input.event)) {
      throw new IgniterError('ERR_INVALID_VALUE', 'event must be a JSON object');
    }
    const partitionKey =
      input.partitionKey === undefined ? undefined : checkName(input.partitionKey, 'partitionKey');
    const prepared: PreparedWrite = {
      input: {
        store,
        key: '',
        value: input.event,
        causation: null,
        validTime: toMs(input.validTime, 'validTime') ?? null,
        schemaVersion: checkSchemaVersion(input.schemaVersion),
        producer: checkMetaObject(input.producer, 'producer'),
        derivation: checkMetaObject(input.derivation, 'derivation'),
        idempotencyKey: checkIdempotencyKey(input.idempotencyKey),
      },
      expect: undefined,
      explicitCausation: true,
      freshKey: true,
    };
    const existing = this.#idempotentRepeat(prepared.input);
    if (existing) return existing;
    if (partitionKey !== undefined) this.#partitionIndex.of(store, partitionKey);
    return this.#commit(prepared, 'append');
  }

  // ---------------------------------------------------------------- reading

  /**
   * The (coerced, deep-frozen) value of (store, key): the latest, or as of `asOf`, or the one
   * that stood at `validAt`; `undefined` when absent. `ttl` bounds the age (ms) of a cached
   * answer. Throws `ERR_INVALID_ARGUMENT` for bad names, times or ttl. Cost: a cache hit, else
   * one engine lookup (a scan of the key's facts with `validAt`) and the coercion.
   */
  read(input: ReadInput): Json | undefined {
    this.#assertOpen();
    checkOptions<ReadInput>(input, 'read input');
    const store = checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const ttl = checkDuration(input.ttl, 'ttl');
    const now = this.#clock();
    const variant = validAt === undefined ? '' : `v${validAt}`;
    const timeTravelId = asOf === undefined ? undefined : JSON.stringify(['r', store, key, asOf, variant]);
    const hit =
      timeTravelId === undefined
        ? this.#cache.getRead(store, key, variant, now, ttl)
        : this.#cache.getTimeTravel(timeTravelId, now, ttl);
    if (hit) return hit.value as Json;
    const fact = this.#pick(store, key, asOf, validAt);
    if (!fact) return undefined;
    const value = this.#coerce(fact).value;
    if (timeTravelId === undefined) this.#cache.putRead(store, key, variant, value, now);
    else if (this.#isSettled(asOf)) this.#cache.putTimeTravel(timeTravelId, value, now);
    return value;
  }

  /**
   * The value of (store, key) as of `at`: `read({ store, key, asOf: at })`. Throws
   * `ERR_INVALID_ARGUMENT` when `at` is missing or not a time. Cost: as `read`.
   */
  timeTravel(input: { store: string; key: string; at: number | Date }): Json | undefined {
    this.#assertOpen();
    checkOptions(input, 'timeTravel input');
    // Without `at` this would silently read the current value.
    if (input.at === undefined) throw new IgniterError('ERR_INVALID_ARGUMENT', 'timeTravel needs `at`');
    return this.read({ store: input.store, key: input.key, asOf: input.at });
  }

  /**
   * Facts of a store (of one key when given), coerced, in seq order within the inclusive
   * `since`/`asOf` bounds; with `validAt`, those valid by then, ordered by effective valid time
   * then seq. Throws `ERR_INVALID_ARGUMENT` for bad names or times. Cost: proportional to the
   * facts returned (plus a sort with `validAt`).
   */
  history(input: HistoryInput): Fact[] {
    this.#assertOpen();
    checkOptions<HistoryInput>(input, 'history input');
    const store = checkName(input.store, 'store');
    const key = input.key === undefined ? undefined : checkName(input.key, 'key');
    const since = toMs(input.since, 'since');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const facts = this.#log.factsFor(store, key, { since, asOf });
    const ordered = validAt === undefined ? facts : historyValidAt(facts, validAt);
    return ordered.map((f) => this.#coerce(f));
  }

  /**
   * Facts of a store whose `value[partitionKey]` equals `partitionValue` (canonical JSON
   * equality), coerced, seq order, within inclusive time bounds, whether or not they were
   * appended with `partitionKey`. The partition index is built on first use and kept by every
   * write and append. Throws `ERR_INVALID_ARGUMENT` for bad names or times or a missing
   * `partitionValue`, `ERR_INVALID_VALUE`
   * when `partitionValue` is not JSON. Cost: proportional to the partition (first use: the store).
   */
  historyPartition(input: HistoryPartitionInput): Fact[] {
    this.#assertOpen();
    checkOptions<HistoryPartitionInput>(input, 'historyPartition input');
    const store = checkName(input.store, 'store');
    const field = checkName(input.partitionKey, 'partitionKey');
    const since = toMs(input.since, 'since');
    const asOf = toMs(input.asOf, 'asOf');
    if (input.partitionValue === undefined) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'partitionValue is required');
    }
    const seqs =
      this.#partitionIndex.of(store, field).get(this.#log.canonicalJson(input.partitionValue)) ?? [];
    return this.#log
      .bySeqs(seqs)
      .filter(
        (f) =>
          (since === undefined || f.transactionTime >= since) &&
          (asOf === undefined || f.transactionTime <= asOf),
      )
      .map((f) => this.#coerce(f));
  }

  /**
   * The latest fact (as of `asOf`, valid at `validAt`) of every key of the store that matches
   * the registered scope's filters, coerced, keys in UTF-16 order, as a frozen array. `scope`
   * null or omitted is the store's point path. Throws `ERR_NO_PATH` for an unregistered scope,
   * `ERR_INVALID_ARGUMENT` for bad names, times or ttl. Cost: current queries use the maintained
   * scope index and the cache (first query: one pass over the store's keys); `asOf`/`validAt`
   * queries scan the store's keys unless a settled answer is in the LRU.
   */
  query(input: QueryInput): readonly Fact[] {
    this.#assertOpen();
    checkOptions<QueryInput>(input, 'query input');
    const store = checkName(input.store, 'store');
    const scope = input.scope === undefined || input.scope === null ? null : checkName(input.scope, 'scope');
    const asOf = toMs(input.asOf, 'asOf');
    const validAt = toMs(input.validAt, 'validAt');
    const ttl = checkDuration(input.ttl, 'ttl');
    const path = this.schemaGraph.pathFor(store, scope);
    if (!path) {
      throw new IgniterError(
        'ERR_NO_PATH',
        `no access path is registered for store "${store}", scope ${scope === null ? 'null' : `"${scope}"`}`,
        { details: { store, scope } },
      );
    }
    const now = this.#clock();
    const maxAge = minDefined(ttl, path.cacheTtl);
    if (asOf === undefined && validAt === undefined) {
      const hit = this.#cache.getScope(store, pathSlot(scope), '', now, maxAge);
      if (hit) return hit.value as readonly Fact[];
      const keys = [...this.#scopeIndex.members(path)].sort();
      const result = Object.freeze(keys.map((k) => this.#coerce(this.#log.latestFor(store, k) as Fact)));
      this.#cache.putScope(store, pathSlot(scope), '', result, now);
      return result;
    }
    // The filters are part of the id: a path registered again must not reuse the old answers.
    const id = JSON.stringify(['q', store, scope, asOf ?? null, validAt ?? null, path.filters]);
    const cacheable = asOf !== undefined && this.#isSettled(asOf);
    const hit = cacheable ? this.#cache.getTimeTravel(id, now, maxAge) : undefined;
    if (hit) return hit.value as readonly Fact[];
    const matches: Fact[] = [];
    for (const key of this.#log.keys(store).sort()) {
      const fact = this.#pick(store, key, asOf, validAt);
      if (fact && matchesFilters(fact.value, path.filters)) matches.push(this.#coerce(fact));
    }
    const result = Object.freeze(matches);
    if (cacheable) this.#cache.putTimeTravel(id, result, now);
    return result;
  }

  /**
   * The raw (uncoerced) live fact with this id, the same object `write` returned; `undefined`
   * for unknown, empty, non-string or pruned ids. Cost: O(1).
   */
  factById(id: string): Fact | undefined {
    this.#assertOpen();
    return typeof id === 'string' && id.length > 0 ? this.#log.byId(id) : undefined;
  }

  /** A reference (no value) to the live fact with this id, or `undefined`. Cost: O(1). */
  factRef(id: string): FactRef | undefined {
    const fact = this.factById(id);
    return fact ? toFactRef(fact) : undefined;
  }

  /** The number of live facts, internal stores included. Cost: O(1). */
  factCount(): number {
    this.#assertOpen();
    return this.#log.size();
  }

  /**
   * Every live fact in seq order within inclusive `since`/`asOf` bounds (raw, uncoerced), as a
   * new array. Throws `ERR_INVALID_ARGUMENT` for bad times. Cost: proportional to the facts returned.
   */
  factLogAll(input: { since?: number | Date; asOf?: number | Date } = {}): Fact[] {
    this.#assertOpen();
    checkOptions(input, 'factLogAll input');
    return this.#log.all({ since: toMs(input.since, 'since'), asOf: toMs(input.asOf, 'asOf') });
  }

  /**
   * The causation chain of (store, key): one step per fact, seq order, with the first 12 chars of
   * each value hash; empty for an unknown key. Throws `ERR_INVALID_ARGUMENT` for bad names.
   * Cost: proportional to the key's facts.
   */
  causationChain(input: { store: string; key: string }): CausationStep[] {
    this.#assertOpen();
    checkOptions(input, 'causationChain input');
    return causationSteps(this.#log.factsFor(checkName(input.store, 'store'), checkName(input.key, 'key')));
  }

  /**
   * The lineage of (store, key): its chain, the derivations sourced from its store and a proof
   * hash (SHA-256 of "id:valueHash:causation" per fact, joined by "|"; null for an empty chain).
   * Throws `ERR_INVALID_ARGUMENT` for bad names. Cost: proportional to the key's facts.
   */
  lineage(input: { store: string; key: string }): Lineage {
    this.#assertOpen();
    checkOptions(input, 'lineage input');
    const store = checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    return buildLineage(
      { store, key },
      this.#log.factsFor(store, key),
      this.schemaGraph.derivationsFrom(store),
      (text) => this.#log.sha256Hex(text),
    );
  }

  // ---------------------------------------------------------------- registering

  /**
   * Registers an access path (replacing one with the same store and scope). A scope's filters
   * are field equality on the latest value. Consumers are called synchronously after each commit:
   * a point path's for every fact of its store, a scope's for every fact whose key is a member
   * before or after it. Throws `ERR_INVALID_ARGUMENT` (`ERR_INVALID_VALUE` for non-JSON filters).
   * Returns the store. Cost: O(1); the path's index is rebuilt on its next query.
   */
  registerPath(input: PathInput): this {
    this.#assertOpen();
    checkOptions<PathInput>(input, 'registerPath input');
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
    this.schemaGraph.registerPath(path);
    this.#scopeIndex.drop(path.store, path.scope);
    this.#cache.invalidateScope(path.store, pathSlot(path.scope));
    return this;
  }

  /**
   * Registers a read-path coercion for a store (replacing any earlier one); facts never change.
   * Applies to read, timeTravel, history, historyPartition, query and resolve; a coerced fact
   * keeps the raw `valueHash`. A coercion that throws or returns non-JSON is reported to
   * `onRuleError` and the raw value is used. Throws `ERR_INVALID_ARGUMENT`. Returns the store.
   * Cost: clears the read cache.
   */
  registerCoercion(store: string, coercion: Coercion): this {
    this.#assertOpen();
    const name = checkName(store, 'store');
    if (typeof coercion !== 'function') {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'coercion must be a function');
    }
    this.#coercions.set(name, coercion);
    this.#cache.clear();
    return this;
  }

  /**
   * Registers a derivation: after every commit to `sourceStore` that changes the set of its
   * latest facts matching `sourceFilters`, `rule(facts)` (matching latest facts, seq order) is
   * written to `targetStore`/`targetKey` with provenance; null skips. Derived writes never re-run
   * derivations. Cost per source commit: O(matching keys). Throws ERR_INVALID_ARGUMENT.
   */
  registerDerivation(input: DerivationInput): this {
    this.#assertOpen();
    this.#ruleRegistry().registerDerivation(input);
    return this;
  }

  /**
   * Registers a scatter: after each commit to `sourceStore` whose value has `partitionBy`,
   * `rule(partitionValue, existing, fact)` is written to `targetStore` under the partition value
   * (its JSON text unless a string); null skips. Scatter writes never re-run scatters.
   */
  registerScatter(input: ScatterInput): this {
    this.#assertOpen();
    this.#ruleRegistry().registerScatter(input);
    return this;
  }

  /**
   * Registers a relation kept in the index store "__rel_<name>" (DESIGN D7). The same definition
   * again is a no-op; another definition under the name is ERR_INVALID_ARGUMENT.
   */
  registerRelation(name: string, input: RelationInput): this {
    this.#assertOpen();
    this.#ruleRegistry().registerRelation(name, input);
    return this;
  }

  /**
   * The coerced values of the source keys related to `from` as of `asOf`, only those whose
   * value then still carries `from`. Throws ERR_NO_RELATION for an unknown relation.
   */
  resolve(relationName: string, input: { from: Json; asOf?: Time }): Json[] {
    this.#assertOpen();
    return this.#ruleRegistry().resolve(relationName, input);
  }

  /** Registers a projection as inspectable metadata in the schema graph. */
  registerProjection(input: ProjectionInput): this {
    this.#assertOpen();
    this.#ruleRegistry().registerProjection(input);
    return this;
  }

  // ---------------------------------------------------------------- protocol

  /**
   * The store's Open Protocol interpreter, created on first use and cached. Loads
   * `@igniter/protocol` lazily; throws `ERR_MISSING_PACKAGE` when it is not installed. `T` names
   * the full `Interpreter` type for callers that import that package (core cannot).
   */
  protocol<T extends ProtocolInterpreter = ProtocolInterpreter>(): T {
    if (!this.#protocol) {
      const { Interpreter } = loadOptional<{ Interpreter: new (store: IgniterStore) => ProtocolInterpreter }>(
        '@igniter/protocol',
      );
      this.#protocol = new Interpreter(this);
    }
    // The loaded package's Interpreter is the only implementation; T only widens the view of it.
    return this.#protocol as T;
  }

  /**
   * Registers an Open Protocol descriptor: `this.protocol().register(descriptor, options)`.
   * Returns its receipt (`accepted`, `unchanged`, `conflict` or `rejected`); throws
   * `ERR_MISSING_PACKAGE` without `@igniter/protocol`.
   */
  registerDescriptor(descriptor: unknown, options?: { replace?: boolean }): ProtocolReceipt {
    return this.protocol().register(descriptor, options);
  }

  // ---------------------------------------------------------------- storage

  /** Resolves when every fact written so far is durable (immediately in memory). */
  async flush(): Promise<void> {
    this.#assertOpen();
    await this.#backend?.flush();
  }

  /** Flushes and closes; later calls throw `ERR_CLOSED`, a second `close()` resolves. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.#closing = this.#backend ? this.#backend.close() : Promise.resolve();
    }
    return this.#closing;
  }

  /**
   * Writes a consistent copy of the store as of one seq to `destPath`, while writes continue:
   * the live facts and `lastSeq` are captured at the call, then written in chunks with the event
   * loop running in between. The copy holds exactly the facts with seq <= the returned `seq` and
   * continues above it; it opens like the original (`openFileStore(path)`, or a
   * `SegmentedFileBackend(path)` for a segmented store); an in-memory store writes a file-backend
   * log. Crash-safe: the copy appears whole or not at all. Rejects with `ERR_INVALID_ARGUMENT`
   * for a destination that exists and is not empty, `ERR_MISSING_PACKAGE` when an in-memory store
   * lacks `@igniter/backend-file`, `ERR_CLOSED` and system errors.
   * Cost: every live fact materialised at the call, then encoded and written once.
   */
  async backup(destPath: string): Promise<BackupResult> {
    this.#assertOpen();
    return backupStore(this, destPath);
  }

  /**
   * Checks the stored data without changing it: re-reads every data file read-only (frame CRCs,
   * torn tails, quarantine files), recomputes every `valueHash` with this store's engine, checks
   * that seqs increase and that each causation points at an earlier fact or a pruned one; in
   * memory, checks the engine's facts. Facts in the group-commit buffer are flushed first.
   * Rejects with `ERR_CLOSED` and system errors. Cost: one read and hash of every fact.
   */
  async verify(): Promise<VerifyResult> {
    this.#assertOpen();
    return verifyStore(this);
  }

  /** Storage statistics of the backend; `null` in memory. */
  storageStats(input: { store?: string } = {}): StorageStats | null {
    this.#assertOpen();
    checkOptions(input, 'storageStats input');
    return this.#backend?.storageStats?.(input) ?? null;
  }

  /** The segments of a segmented backend; `null` otherwise. */
  segmentManifest(input: { store?: string } = {}): SegmentManifest | null {
    this.#assertOpen();
    checkOptions(input, 'segmentManifest input');
    return this.#backend?.segmentManifest?.(input) ?? null;
  }

  /**
   * Sets a store's retention policy (replacing any earlier one): `permanent`, `ephemeral`
   * (latest per key) or `rolling_window` (latest per key plus facts newer than `duration` ms).
   * Throws ERR_INVALID_ARGUMENT for an unknown strategy or a bad duration. Returns the store.
   */
  setRetention(store: string, policy: RetentionPolicy): this {
    this.#assertOpen();
    this.#lifecycle.setRetention(store, policy);
    return this;
  }

  /**
   * Applies retention: to `store`, or to every store with a non-permanent policy. Dropped facts
   * leave the log (and the backend's files, atomically with the receipt); each store that
   * dropped facts gets a receipt in "__compaction_receipts". `seq` is never reused.
   * Cost: O(facts of the compacted stores) plus a backend rewrite of the live log.
   */
  compact(store?: string): CompactionResult[] {
    this.#assertOpen();
    return this.#lifecycle.compact(store);
  }

  /** The facts of "__compaction_receipts", of one compacted store when given. */
  compactionReceipts(input: { store?: string } = {}): Fact[] {
    this.#assertOpen();
    return this.#lifecycle.compactionReceipts(input);
  }

  /**
   * Removes exactly these facts and writes a receipt of references (no values) to
   * `receiptStore`. Unknown ids are reported as missing; an empty list is a no-op. Returns
   * `unsupported` for a backend that cannot rewrite its data. Cost: a backend rewrite.
   */
  pruneFactIds(input: PruneInput): PruneResult {
    this.#assertOpen();
    return this.#lifecycle.pruneFactIds(input);
  }

  /**
   * Retention compactions, exact prunes and segment purges, oldest first; with `store`, those
   * that touched it.
   */
  compactionActivity(input: { store?: string } = {}): CompactionActivity[] {
    this.#assertOpen();
    return this.#lifecycle.compactionActivity(input);
  }

  /** Writes a snapshot so that a reopen replays only the delta (no-op in memory). */
  checkpoint(): this {
    this.#assertOpen();
    this.#backend?.writeSnapshot?.(this.#log.all(), { lastSeq: this.#log.lastSeq() });
    return this;
  }

  // ---------------------------------------------------------------- internals for rules & lifecycle

  /** @internal Registers a listener run after each commit (rules, lifecycle). */
  addCommitListener(listener: CommitListener): void {
    this.#listeners.push(listener);
  }

  /** @internal Commits a fact into any store (internal ones included) without user checks. */
  commitInternal(input: WriteInput, kind: CommitKind, persist?: (fact: Fact) => void): Fact {
    this.#assertOpen();
    const prepared = this.#prepareWrite(input, 'internal', false);
    return this.#commit(prepared, kind, persist);
  }

  /** @internal The engine behind the store. */
  get internalEngine(): Engine {
    return this.#log;
  }

  /** @internal The backend, if any. */
  get internalBackend(): Backend | undefined {
    return this.#backend;
  }

  /** @internal The store's clock. */
  now(): number {
    return this.#clock();
  }

  /** @internal Reports a contained rule/consumer/coercion error. */
  reportRuleError(kind: string, fact: { store: string; key: string; id: string }, cause: unknown): void {
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = new IgniterError(
      'ERR_RULE_FAILED',
      `${kind} failed for ${fact.store}/${fact.key}: ${message}`,
      {
        cause,
        details: { kind, store: fact.store, key: fact.key, sourceFactId: fact.id },
      },
    );
    try {
      this.#onRuleError(error);
    } catch {
      // A failing error handler must not undo a committed fact either.
    }
  }

  /** @internal Drops all derived state after facts were removed (compaction, prune). */
  afterRemoval(removed: readonly Fact[]): void {
    this.#scopeIndex.clear();
    this.#partitionIndex.clear();
    this.#cache.clear();
    this.#rules?.reset();
    for (const fact of removed) this.#idempotency.forget(fact);
  }

  // ---------------------------------------------------------------- private

  #ruleRegistry(): RuleRegistry {
    this.#rules ??= new RuleRegistry(this);
    return this.#rules;
  }

  #assertOpen(): void {
    if (this.#closed) throw new IgniterError('ERR_CLOSED', 'the store is closed');
  }

  /** Drops from memory the facts a backend purge removed from disk (reads match a reopen). */
  #forgetPurged(purged: readonly PurgedRange[]): void {
    const ids: string[] = [];
    for (const range of purged) {
      for (const fact of this.#log.factsFor(range.store, undefined)) {
        if (fact.seq >= range.minSeq && fact.seq <= range.maxSeq) ids.push(fact.id);
      }
    }
    if (ids.length > 0) this.afterRemoval(this.#log.remove(ids));
  }

  #hydrate(backend: Backend): void {
    this.#log.load(backend.replay());
    const high = backend.highWaterSeq?.();
    if (high !== undefined) this.#log.advanceSeq(high);
    const all = this.#log.all();
    const last = all[all.length - 1];
    if (last) this.#lastTransactionTime = last.transactionTime;
    for (const fact of all) {
      this.#idempotency.remember(fact);
      this.#lifecycle.observe(fact);
    }
  }

  /**
   * Live facts with seq > `after`, at most `limit` (a changefeed resuming from the log). Looks up
   * windows of seqs, O(limit + pruned seqs skipped), unless pruning left live facts so sparse that
   * one pass over them is expected to be cheaper.
   */
  #factsAfter(after: number, limit: number): Fact[] {
    const out: Fact[] = [];
    const last = this.#log.lastSeq();
    const live = this.#log.size();
    if (live === 0) return out;
    if (limit * (last - after) > live * live) {
      for (const fact of this.#log.all()) {
        if (fact.seq <= after) continue;
        out.push(fact);
        if (out.length >= limit) break;
      }
      return out;
    }
    let from = after + 1;
    while (out.length < limit && from <= last) {
      const count = Math.min(last - from + 1, Math.max(limit - out.length, 1024));
      const seqs = Array.from({ length: count }, (_, i) => from + i);
      for (const fact of this.#log.bySeqs(seqs)) {
        if (out.length >= limit) break;
        out.push(fact);
      }
      from += count;
    }
    return out;
  }

  #prepareWrite(input: WriteInput, what: string, userWrite = true): PreparedWrite {
    checkOptions<WriteInput>(input, `${what}`);
    const store = userWrite ? checkWritableStore(input.store) : checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    const expect = checkExpectation(input.expect);
    const explicitCausation = input.causation !== undefined;
    return {
      input: {
        store,
        key,
        value: input.value,
        causation: explicitCausation ? checkCausation(input.causation) : null,
        validTime: toMs(input.validTime, 'validTime') ?? null,
        schemaVersion: checkSchemaVersion(input.schemaVersion),
        producer: checkMetaObject(input.producer, 'producer'),
        derivation: checkMetaObject(input.derivation, 'derivation'),
        idempotencyKey: checkIdempotencyKey(input.idempotencyKey),
      },
      expect,
      explicitCausation,
    };
  }

  /** The existing fact for a repeated idempotency key with the same value; throws on a different one. */
  #idempotentRepeat(input: PreparedWrite['input'], batchHash?: string): Fact | undefined {
    if (input.idempotencyKey === null) return undefined;
    const id = this.#idempotency.factIdFor(input.store, input.idempotencyKey);
    const fact = id === undefined ? undefined : this.#log.byId(id);
    if (!fact) return undefined;
    const hash = batchHash ?? this.#log.valueHash(input.value);
    if (hash === fact.valueHash) return fact;
    throw new IgniterError(
      'ERR_CONFLICT',
      `idempotency key "${input.idempotencyKey}" of store "${input.store}" was used for a different value`,
      { details: { store: input.store, idempotencyKey: input.idempotencyKey, factId: fact.id } },
    );
  }

  #checkExpectation(prepared: PreparedWrite, actualSeq?: number | null): void {
    const expect = prepared.expect;
    if (!expect) return;
    const { store, key } = prepared.input;
    const actual = actualSeq !== undefined ? actualSeq : (this.#log.latestFor(store, key)?.seq ?? null);
    const holds = 'absent' in expect ? actual === null : actual === expect.seq;
    if (!holds) {
      throw new IgniterError(
        'ERR_CONFLICT',
        `expected ${JSON.stringify(expect)} for ${store}/${key}, but its latest seq is ${actual ?? 'none'}`,
        { details: { store, key, expected: expect, actualSeq: actual } },
      );
    }
  }

  /** Checks a whole batch up front, as if its inputs had been committed one by one. */
  #validateBatch(batch: readonly PreparedWrite[]): void {
    const predictedLatest = new Map<string, number>();
    const batchKeys = new Map<string, string>();
    // Seq predictions matter only when some input carries an expectation.
    const tracksExpectations = batch.some((p) => p.expect !== undefined);
    let nextSeq = this.#log.lastSeq();
    for (const p of batch) {
      const { store, key, idempotencyKey } = p.input;
      const canonical = this.#log.canonicalJson(p.input.value);
      if (
        canonical.length * 3 > this.#maxValueBytes &&
        Buffer.byteLength(canonical, 'utf8') > this.#maxValueBytes
      ) {
        throw new IgniterError('ERR_VALUE_TOO_LARGE', `value of ${store}/${key} is over the size limit`);
      }
      if (idempotencyKey !== null) {
        const hash = this.#log.sha256Hex(canonical);
        const id = JSON.stringify([store, idempotencyKey]);
        const earlier = batchKeys.get(id);
        if (earlier !== undefined) {
          if (earlier !== hash) {
            throw new IgniterError(
              'ERR_CONFLICT',
              `idempotency key "${idempotencyKey}" repeats with a different value`,
              {
                details: { store, idempotencyKey, factId: null },
              },
            );
          }
          continue;
        }
        batchKeys.set(id, hash);
        if (this.#idempotentRepeat(p.input, hash)) continue;
      }
      if (!tracksExpectations) continue;
      const slot = JSON.stringify([store, key]);
      if (p.expect !== undefined) {
        const predicted = predictedLatest.get(slot);
        this.#checkExpectation(p, predicted ?? this.#log.latestFor(store, key)?.seq ?? null);
      }
      nextSeq += 1;
      predictedLatest.set(slot, nextSeq);
    }
  }

  /** Runs the commit order of DESIGN D4 for one fact. */
  #commit(prepared: PreparedWrite, kind: CommitKind, persist?: (fact: Fact) => void): Fact {
    const { input } = prepared;
    // The clock is read once per fact: the same reading dates the fact and an append's key.
    const transactionTime = Math.floor(Math.max(this.#clock(), this.#lastTransactionTime));
    const key = prepared.freshKey ? uuidv7(transactionTime) : input.key;
    const previous = prepared.freshKey ? undefined : this.#log.latestFor(input.store, key);
    const causation = prepared.explicitCausation ? input.causation : (previous?.id ?? null);
    const before = this.#log.lastSeq();
    const [fact] = this.#log.append([{ ...input, key, causation, transactionTime }]);
    if (!fact) throw new IgniterError('ERR_INVALID_ARGUMENT', 'the engine appended nothing');
    const backend = this.#backend;
    const durable = persist ?? (backend ? (f: Fact) => backend.writeFact(f) : undefined);
    if (durable) {
      try {
        durable(fact);
      } catch (error) {
        this.#log.truncateAfter(before);
        throw error;
      }
    }
    this.#lastTransactionTime = transactionTime;
    this.#idempotency.remember(fact);
    const touched = this.#updateIndexes(fact, previous, input.value);
    const publication = { fact, kind, ready: false };
    if (this.changefeed) this.#unpublished.push(publication);
    this.#notify(fact, touched);
    publication.ready = true;
    this.#publishReady();
    for (const listener of this.#listeners) listener(fact, kind);
    return fact;
  }

  /**
   * Publishes committed facts in seq order (D12). A fact that a consumer commits while the fact
   * that triggered it is still being notified waits until that earlier fact is published.
   */
  #publishReady(): void {
    const changefeed = this.changefeed;
    if (!changefeed) return;
    while (this.#unpublished[0]?.ready) {
      const next = this.#unpublished.shift();
      if (next) changefeed.publish(next.fact, next.kind);
    }
  }

  /** Maintains scope and partition indexes and the cache; returns the scope paths touched. */
  #updateIndexes(fact: Fact, previous: Fact | undefined, value: unknown): AccessPath[] {
    const { store, key } = fact;
    this.#cache.invalidateKey(store, key);
    const touched = this.#scopeIndex.apply(store, this.schemaGraph.pathsFor(store), key, previous, value);
    for (const path of touched) this.#cache.invalidateScope(store, pathSlot(path.scope));
    this.#partitionIndex.apply(fact, value);
    return touched;
  }

  /** Calls point consumers of the store and scope consumers of touched scopes. */
  #notify(fact: Fact, touched: readonly AccessPath[]): void {
    for (const path of this.schemaGraph.pathsFor(fact.store)) {
      if (path.consumers.length === 0) continue;
      let event: ConsumerEvent;
      if (path.scope === null) event = { store: fact.store, key: fact.key };
      else if (touched.includes(path)) event = { store: fact.store, scope: path.scope, key: fact.key };
      else continue;
      for (const consumer of path.consumers) {
        try {
          consumer(event);
        } catch (error) {
          this.reportRuleError('consumer', fact, error);
        }
      }
    }
  }

  /** The fact a read picks: latest as of `asOf`, or the one standing at `validAt`. */
  #pick(store: string, key: string, asOf: number | undefined, validAt: number | undefined): Fact | undefined {
    if (validAt === undefined) return this.#log.latestFor(store, key, asOf);
    return pickValidAt(this.#log.factsFor(store, key, { asOf }), validAt);
  }

  /** True when no later commit can change an answer as of `asOf`. */
  #isSettled(asOf: number | undefined): boolean {
    return asOf !== undefined && asOf < this.#lastTransactionTime;
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
      this.reportRuleError('coercion', fact, error);
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
