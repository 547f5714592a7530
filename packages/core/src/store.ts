import { checkInput, checkName, isReservedStore, toMs } from './args.js';
import type { Backend, PurgeReceipt, SegmentManifest, StorageStats, StoreRole } from './backend.js';
import { attachBackend, type BackendLinkHost } from './backend-link.js';
import type { ChangeSink, CommitKind } from './change-event.js';
import { CheckpointRunner } from './checkpoint-runner.js';
import { type CommittedLog, committedLogOf } from './committed-log.js';
import { createEngine } from './engine/select.js';
import type { Engine, EngineKind } from './engine/types.js';
import { IgniterError } from './errors.js';
import { type Fact, type FactRef, toFactRef } from './fact.js';
import { PartitionIndex, ScopeIndex } from './indexes.js';
import {
  LOG_WINDOW_FIELDS,
  STORE_FILTER_FIELDS,
  SUBJECT_FIELDS,
  TIME_TRAVEL_FIELDS,
} from './input-fields.js';
import { backupStore } from './integrity/backup.js';
import type { BackupResult, VerifyResult } from './integrity/types.js';
import { verifyStore } from './integrity/verify.js';
import type { Json } from './json.js';
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
import {
  DESCRIPTOR_PRODUCER,
  DESCRIPTOR_STORE,
  loadInterpreter,
  type ProtocolInterpreter,
  type ProtocolReceipt,
  restoreDescriptors,
} from './protocol-interpreter.js';
import { ReadCache } from './read-cache.js';
import { ReadPath } from './read-path.js';
import { RuleRegistry } from './rules/registry.js';
import { ruleFailure } from './rules/rule-failure.js';
import type {
  DerivationInput,
  ProjectionInput,
  RebuildOptions,
  RebuildResult,
  RelationInput,
  RuleStatus,
  ScatterInput,
} from './rules/types.js';
import { SchemaGraph } from './schema-graph.js';
import { checkWaitForSeq, SeqWaiters } from './seq-waiters.js';
import { checkStoreOptions, splitFileStoreOptions } from './store-options.js';
import type { StoreState } from './store-state.js';
import type {
  AppendEventInput,
  Coercion,
  HistoryInput,
  HistoryPartitionInput,
  KeysInput,
  LogWindowInput,
  PathInput,
  QueryInput,
  ReadFactInput,
  ReadInput,
  ResolveInput,
  StoreFilterInput,
  StoreOptions,
  StoreSummary,
  SubjectInput,
  TimeTravelInput,
  WriteInput,
} from './store-types.js';
import { TransactionClock } from './transaction-clock.js';
import { type CommitListener, WritePath } from './write-path.js';

// This file is the public facade and stays long for that reason: every public method of
// `IgniterStore`, with the doc comment API.md binds, is declared here, because TypeScript cannot
// spread one class over files without declaration merging or base classes that would show in
// the published types. Each body is a guard and a hand-over to the module that does the work:
// write-path.ts, read-path.ts, rules/registry.ts, lifecycle/lifecycle.ts, checkpoint-runner.ts,
// backend-link.ts (open, purges, a follower's replication), integrity/. The guards stay here
// (they read the closed state and the backend's role) and `write` calls them directly, so the
// write path gains no call.

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
  readonly #state: StoreState;
  readonly #reads: ReadPath;
  readonly #writes: WritePath;
  readonly #onRuleError: (error: IgniterError) => void;
  #rules: RuleRegistry | undefined;
  readonly #lifecycle: Lifecycle = new Lifecycle(this);
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #checkpoints = new CheckpointRunner();
  #protocol: ProtocolInterpreter | undefined;
  #committedLog: CommittedLog | undefined;
  readonly #seqWaiters = new SeqWaiters();

  /**
   * Creates a store. With a `backend`, replays it before returning (cost: the size of the log)
   * and re-applies the protocol descriptors the log holds. Registrations are code, not data:
   * paths, consumers, coercions, rules and retention policies must be registered again after
   * every open. Throws `ERR_INVALID_ARGUMENT` for bad or unknown options and
   * `ERR_NATIVE_UNAVAILABLE` when the native engine is forced and cannot load.
   */
  constructor(options: StoreOptions = {}) {
    const { lruCap, clock, onRuleError, onRecover, maxValueBytes } = checkStoreOptions(options);
    this.#log = createEngine(options.engine ?? 'auto', { maxValueBytes });
    this.engine = this.#log.kind;
    this.#onRuleError = onRuleError;
    this.#backend = options.backend;
    this.changefeed = options.changefeed;
    this.#state = {
      log: this.#log,
      clock: new TransactionClock(clock),
      schemaGraph: this.schemaGraph,
      cache: new ReadCache(lruCap),
      scopeIndex: new ScopeIndex(this.#log),
      partitionIndex: new PartitionIndex(this.#log),
      reportRuleError: (kind, fact, cause) => this.reportRuleError(kind, fact, cause),
    };
    this.#reads = new ReadPath(this.#state);
    this.#writes = new WritePath(this.#state, {
      backend: this.#backend,
      changefeed: this.changefeed,
      maxValueBytes,
    });
    try {
      const host: BackendLinkHost = {
        log: this.#log,
        writes: this.#writes,
        lifecycle: this.#lifecycle,
        seqWaiters: this.#seqWaiters,
        afterRemoval: (removed) => this.afterRemoval(removed),
        closedBy: (error) => this.#closedBy(error),
      };
      attachBackend(this.#backend, host, onRecover);
      this.#writes.addCommitListener((fact) => this.#seqWaiters.reached(fact.seq));
      this.changefeed?.attach({
        factsAfter: (after, limit) => this.#reads.factsAfter(after, limit),
        lastSeq: () => this.#log.lastSeq(),
      });
      restoreDescriptors(this);
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
   *
   * The log holds facts, not code: access paths and their consumers, coercions, derivations,
   * scatters, relations, projections and retention policies are not stored, so register them
   * again after every open (keep them in one function you call after `open`). Protocol
   * descriptors are stored, and are re-applied here when `@igniter/protocol` is installed.
   *
   * Throws `ERR_INVALID_ARGUMENT` for an unknown option (before any file is touched) or a path
   * that cannot be a log file, `ERR_MISSING_PACKAGE` when `@igniter/backend-file` is not
   * installed, `ERR_LOCKED` when the log is open elsewhere, and the backend's recovery errors.
   * Cost: replaying the log.
   */
  static open(
    pathOrBackend: string | Backend,
    options: StoreOptions & Record<string, unknown> = {},
  ): IgniterStore {
    if (typeof pathOrBackend !== 'string') return new IgniterStore({ ...options, backend: pathOrBackend });
    const { store, backend } = splitFileStoreOptions(options);
    const { FileBackend } = loadOptional<{
      FileBackend: new (path: string, options: Record<string, unknown>) => Backend;
    }>('@igniter/backend-file');
    return new IgniterStore({ ...store, backend: new FileBackend(pathOrBackend, backend) });
  }

  // ---------------------------------------------------------------- writing

  /**
   * Commits a value for (store, key) and returns the new fact. `causation` defaults to the id of
   * the current latest fact of the key. Throws `ERR_INVALID_ARGUMENT`, `ERR_INVALID_VALUE`,
   * `ERR_VALUE_TOO_LARGE`, `ERR_RESERVED_NAME`, `ERR_CONFLICT` (expect / idempotencyKey) or
   * `ERR_CLOSED`, changing nothing. Cost: one value walk and hash, plus index upkeep per path.
   */
  write(input: WriteInput): Fact {
    this.#assertWritable();
    return this.#writes.write(input);
  }

  /**
   * Bulk load: validates every input first (values, names, expectations, idempotency keys,
   * earlier inputs of the batch included); if any fails, throws and writes nothing. Then commits
   * them in order as if by `write()`. Storage can still refuse an item after the backend took
   * the ones before it (a frame over the backend's size limit, an I/O error): those stay
   * committed and are announced, and an `IgniterError` then carries `details.committed` and
   * `details.committedThroughSeq`. Cost: two value walks per input.
   */
  writeMany(inputs: readonly WriteInput[]): Fact[] {
    this.#assertWritable();
    return this.#writes.writeMany(inputs);
  }

  /**
   * Appends an event to a history store under a fresh UUIDv7 key, with null causation; it is a
   * fact like any other (indexes, consumers, changefeed, rules). `partitionKey` builds that
   * field's partition index eagerly. Throws as `write` does (`ERR_INVALID_VALUE` when the event
   * is not a JSON object). Cost: as `write`.
   */
  append(input: AppendEventInput): Fact {
    this.#assertWritable();
    return this.#writes.append(input);
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
    return this.#reads.read(input);
  }

  /**
   * The value of (store, key) as of `at`: `read({ store, key, asOf: at })`. Throws
   * `ERR_INVALID_ARGUMENT` when `at` is missing or not a time. Cost: as `read`.
   */
  timeTravel(input: TimeTravelInput): Json | undefined {
    this.#assertOpen();
    checkInput(input, 'timeTravel input', TIME_TRAVEL_FIELDS);
    // Without `at` this would silently read the current value.
    if (input.at === undefined) throw new IgniterError('ERR_INVALID_ARGUMENT', 'timeTravel needs `at`');
    return this.read({ store: input.store, key: input.key, asOf: toMs(input.at, 'at') });
  }

  /**
   * Facts of a store (of one key when given), coerced, in seq order within the inclusive
   * `since`/`asOf` bounds; with `validAt`, those valid by then, ordered by effective valid time
   * then seq. Throws `ERR_INVALID_ARGUMENT` for bad names or times. Cost: proportional to the
   * facts returned (plus a sort with `validAt`).
   */
  history(input: HistoryInput): Fact[] {
    this.#assertOpen();
    return this.#reads.history(input);
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
    return this.#reads.historyPartition(input);
  }

  /**
   * The fact `read` would return the value of: the latest of (store, key), or as of `asOf`, or the
   * one that stood at `validAt`; coerced value, raw `valueHash`; `undefined` when absent. Its
   * `seq` is what `write({ ..., expect: { seq } })` expects. Throws `ERR_INVALID_ARGUMENT` for bad
   * names or times. Cost: one engine lookup (a scan of the key's facts with `validAt`).
   */
  readFact(input: ReadFactInput): Fact | undefined {
    this.#assertOpen();
    return this.#reads.readFact(input);
  }

  /**
   * The latest fact (as of `asOf`, valid at `validAt`) of each matching key of the store, coerced,
   * keys in UTF-16 order, as a frozen array. With `scope`, the keys in that registered scope
   * (`ERR_NO_PATH` when none is registered), narrowed by `where` when given. Without, every key
   * whose value matches `where` (field equality, as scope filters; omitted: every key), no
   * registration needed. `after` (exclusive key cursor) and `limit` page the answer. Throws
   * `ERR_INVALID_ARGUMENT` for bad names, filters, times, limits or ttl. Cost: a registered path
   * (the scope, or one whose filters equal `where`) answers current queries from its maintained
   * index and the cache; otherwise one lookup per key scanned from the cursor until `limit` match.
   */
  query(input: QueryInput): readonly Fact[] {
    this.#assertOpen();
    return this.#reads.query(input);
  }

  /**
   * Keys of a store with at least one live fact, in UTF-16 order, starting with `prefix`, after
   * the exclusive cursor `after`, at most `limit`. Throws `ERR_INVALID_ARGUMENT` for a bad store,
   * prefix, cursor or limit. Cost: O(log k + keys returned); sorting the store's keys once after
   * its key set changes.
   */
  keys(input: KeysInput): string[] {
    this.#assertOpen();
    return this.#reads.keys(input);
  }

  /**
   * The user stores (not the internal "__" ones) with at least one live fact, in UTF-16 order,
   * with their live fact and key counts. Cost: O(stores + their keys).
   */
  stores(): StoreSummary[] {
    this.#assertOpen();
    return this.#log
      .stores()
      .filter((store) => !isReservedStore(store))
      .sort()
      .map((store) => ({ store, ...this.#log.storeCounts(store) }));
  }

  /** The highest seq ever committed (0 for an empty store), also after prune and reopen. Cost: O(1). */
  lastSeq(): number {
    this.#assertOpen();
    return this.#log.lastSeq();
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

  /**
   * The committed log read in seq order as stored, values uncoerced (replay, sync, followers).
   * Its methods throw `ERR_CLOSED` once the store is closed.
   */
  committedLog(): CommittedLog {
    this.#assertOpen();
    this.#committedLog ??= committedLogOf(this.#log, this.#reads, () => this.#assertOpen());
    return this.#committedLog;
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
  factLogAll(input: LogWindowInput = {}): Fact[] {
    this.#assertOpen();
    checkInput(input, 'factLogAll input', LOG_WINDOW_FIELDS);
    return this.#log.all({ since: toMs(input.since, 'since'), asOf: toMs(input.asOf, 'asOf') });
  }

  /**
   * The causation chain of (store, key): one step per fact, seq order, with the first 12 chars of
   * each value hash; empty for an unknown key. Throws `ERR_INVALID_ARGUMENT` for bad names.
   * Cost: proportional to the key's facts.
   */
  causationChain(input: SubjectInput): CausationStep[] {
    this.#assertOpen();
    checkInput(input, 'causationChain input', SUBJECT_FIELDS);
    return causationSteps(this.#log.factsFor(checkName(input.store, 'store'), checkName(input.key, 'key')));
  }

  /**
   * The lineage of (store, key): its chain, the derivations sourced from its store and a proof
   * hash (SHA-256 hex of "id:valueHash:causation" per fact in seq order, a null causation written
   * as "", joined by "|"; null for an empty chain).
   * Throws `ERR_INVALID_ARGUMENT` for bad names. Cost: proportional to the key's facts.
   */
  lineage(input: SubjectInput): Lineage {
    this.#assertOpen();
    checkInput(input, 'lineage input', SUBJECT_FIELDS);
    const store = checkName(input.store, 'store');
    const key = checkName(input.key, 'key');
    const facts = this.#log.factsFor(store, key);
    const derivedBy = this.#ruleRegistry().derivedBy({ store, key }, facts);
    return buildLineage({ store, key }, facts, derivedBy, (text) => this.#log.sha256Hex(text));
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
    this.#reads.registerPath(input);
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
    this.#reads.registerCoercion(store, coercion);
    return this;
  }

  /**
   * Registers a derivation: after every commit to `sourceStore` that changes the set of its
   * latest facts matching `sourceFilters`, `rule(facts)` (matching latest facts, seq order) is
   * written to `targetStore`/`targetKey` with provenance (`derivation.rule` = its name); null
   * skips. Derived writes never re-run derivations. `name` (unique among all rules; generated
   * when omitted), `onError` (see `ruleStatus`) and `backfill` (run once now over the current
   * matching facts). Throws ERR_INVALID_ARGUMENT (also for a name already taken). Cost:
   * O(keys of the source store) now; per source commit O(matching keys).
   */
  registerDerivation(input: DerivationInput): this {
    this.#assertMayRegister(input);
    this.#ruleRegistry().registerDerivation(input);
    return this;
  }

  /**
   * Registers a scatter: after each commit to `sourceStore` whose value has `partitionBy`,
   * `rule(partitionValue, existing, fact)` is written to `targetStore` under the partition value
   * (its JSON text unless a string); null skips. Scatter writes never re-run scatters. Takes
   * `name`, `onError` and `backfill` (run now over the latest fact of every key, seq order).
   * Throws ERR_INVALID_ARGUMENT. Cost: O(1) per source commit; a backfill O(keys).
   */
  registerScatter(input: ScatterInput): this {
    this.#assertMayRegister(input);
    this.#ruleRegistry().registerScatter(input);
    return this;
  }

  /**
   * Registers a relation kept in the index store "__rel_<name>" (ARCHITECTURE.md D7), a rule named
   * `name`, and indexes the latest fact of every key already in the source store. The same
   * definition again is a no-op; another definition under the name, or a name another rule
   * holds, is ERR_INVALID_ARGUMENT. Cost: O(keys of the source store) now.
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
  resolve(relationName: string, input: ResolveInput): Json[] {
    this.#assertOpen();
    return this.#ruleRegistry().resolve(relationName, input);
  }

  /**
   * Registers a projection. Without `rule` it is metadata in the schema graph (the same name
   * again replaces it). With `targetStore`, `targetKey` and `rule` it also runs: each fact
   * committed to one of `reads` is folded into its target key's value (`rule(existing, fact)`,
   * null skips), with `name`, `onError` and `backfill` as for scatters. Throws
   * ERR_INVALID_ARGUMENT. Cost: O(1) per source commit.
   */
  registerProjection(input: ProjectionInput): this {
    this.#assertOpen();
    this.#ruleRegistry().registerProjection(input);
    return this;
  }

  /**
   * Every rule (derivations, scatters, relations, running projections) in registration order:
   * `name`, `kind`, `state` (`running`, `stopped` by an `onError: 'stop'` failure until
   * `resume`, or `rebuilding`), `target`, `lastSourceSeq`, facts `written`, `failures`, `lag`
   * (source facts committed but not applied: 0 when caught up, growing while stopped, left to
   * fold while rebuilding) and `lastError`. Cost: O(rules).
   */
  ruleStatus(): RuleStatus[] {
    this.#assertOpen();
    return this.#ruleRegistry().ruleStatus();
  }

  /**
   * Lets a stopped rule run again from the next source fact; the facts it skipped while stopped
   * are not replayed (`rebuild` catches a target up). A rule that is not stopped is left as it
   * is. Throws ERR_INVALID_ARGUMENT for an unknown name. Returns the store.
   */
  resume(name: string): this {
    this.#assertOpen();
    this.#ruleRegistry().resume(name);
    return this;
  }

  /**
   * Recomputes a rule from its source facts in seq order and writes, as derived facts of the
   * rule, every target value that differs from the target's latest, so that the target then
   * holds what a fresh store replaying the same source facts would hold (keys the rule would not
   * write are left alone: facts are never deleted). With `into`, builds that store instead and
   * switches the rule to it in the same step as the rebuild ends. Writes continue meanwhile and
   * the live rule keeps running; source facts committed during the rebuild are applied before
   * the promise resolves. Works in slices of a few ms between turns of the event loop. A stopped
   * rule runs again afterwards. Rejects with ERR_INVALID_ARGUMENT (unknown name, a rule already
   * rebuilding or writing to its own source store, a bad `into`), ERR_RESERVED_NAME (`into`
   * starting with "__"), ERR_CLOSED (the store closed meanwhile) or the ERR_RULE_FAILED that
   * stopped an `onError: 'stop'` rule. Cost: one read of the log and one rule run per source
   * fact (a derivation with a fixed key runs once), plus one write per differing target key.
   */
  async rebuild(name: string, options?: RebuildOptions): Promise<RebuildResult> {
    this.#assertWritable();
    return this.#ruleRegistry().rebuild(name, options);
  }

  // ---------------------------------------------------------------- protocol

  /**
   * The store's Open Protocol interpreter, created on first use and cached. Loads
   * `@igniter/protocol` lazily; throws `ERR_MISSING_PACKAGE` when it is not installed. `T` names
   * the full `Interpreter` type for callers that import that package (core cannot).
   */
  protocol<T extends ProtocolInterpreter = ProtocolInterpreter>(): T {
    this.#protocol ??= loadInterpreter(this);
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

  /**
   * Commits a version of a protocol descriptor under `key` of the internal store `__descriptors`
   * (the one internal store written from outside core: by `@igniter/protocol`, which checks the
   * descriptor first). Returns the fact. Throws `ERR_INVALID_VALUE` for a value that is not JSON,
   * `ERR_INVALID_ARGUMENT` for a bad key and `ERR_CLOSED` when closed.
   */
  commitDescriptor(key: string, descriptor: Json): Fact {
    return this.commitInternal(
      { store: DESCRIPTOR_STORE, key, value: descriptor, producer: DESCRIPTOR_PRODUCER },
      'write',
    );
  }

  // ---------------------------------------------------------------- storage

  /**
   * Resolves when every fact written so far is durable (immediately in memory) and every
   * checkpoint started so far is done; rejects once with a checkpoint's failure.
   */
  async flush(): Promise<void> {
    this.#assertOpen();
    return this.#checkpoints.flush(this.#backend);
  }

  /** Flushes and closes; later calls throw `ERR_CLOSED`, a second `close()` resolves. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.#seqWaiters.fail(new IgniterError('ERR_CLOSED', 'the store was closed'));
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
  storageStats(input: StoreFilterInput = {}): StorageStats | null {
    this.#assertOpen();
    checkInput(input, 'storageStats input', STORE_FILTER_FIELDS);
    return this.#backend?.storageStats?.(input) ?? null;
  }

  /** The segments of a segmented backend; `null` otherwise. */
  segmentManifest(input: StoreFilterInput = {}): SegmentManifest | null {
    this.#assertOpen();
    checkInput(input, 'segmentManifest input', STORE_FILTER_FIELDS);
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

  /** A copy of the retention policy of `store`, or `undefined` when none was set. Cost: O(1). */
  retentionFor(store: string): RetentionPolicy | undefined {
    this.#assertOpen();
    return this.#lifecycle.retentionFor(store);
  }

  /** Every retention policy set, by store, in the order first set. Cost: O(stores with a policy). */
  retentionSnapshot(): Record<string, RetentionPolicy> {
    this.#assertOpen();
    return this.#lifecycle.retentionSnapshot();
  }

  /**
   * Applies retention physically to a segmented backend: purges, with a durable receipt each,
   * the sealed segments (of `store`, or of every store with a policy) that hold no fact the
   * policy keeps: `ephemeral` keeps the newest sealed segment, `rolling_window` the segments
   * with a fact newer than `duration`, and both keep every segment holding a key's latest fact
   * (`compact()` drops single facts; a purge drops whole segments). The live segment is never
   * purged. Returns the new receipts (also in `compactionActivity()`). Throws
   * `ERR_INVALID_ARGUMENT` without a segmented backend or for a bad input. Cost: O(keys of each
   * store) plus two fsyncs per purged segment.
   */
  purgeSegments(input: StoreFilterInput = {}): PurgeReceipt[] {
    this.#assertOpen();
    return this.#lifecycle.purgeSegments(input);
  }

  /**
   * Applies retention: to `store`, or to every store with a non-permanent policy. Dropped facts
   * leave the log (and the backend's files, atomically with the receipt); each store that
   * dropped facts gets a receipt in "__compaction_receipts". `seq` is never reused.
   * Cost: O(facts of the compacted stores) plus a backend rewrite of the live log.
   */
  compact(store?: string): CompactionResult[] {
    this.#assertWritable();
    return this.#lifecycle.compact(store);
  }

  /** The facts of "__compaction_receipts", of one compacted store when given. */
  compactionReceipts(input: StoreFilterInput = {}): Fact[] {
    this.#assertOpen();
    return this.#lifecycle.compactionReceipts(input);
  }

  /**
   * Removes exactly these facts and writes a receipt of references (no values) to
   * `receiptStore`. Unknown ids are reported as missing; an empty list is a no-op. Returns
   * `unsupported` for a backend that cannot rewrite its data. Cost: a backend rewrite.
   */
  pruneFactIds(input: PruneInput): PruneResult {
    this.#assertWritable();
    return this.#lifecycle.pruneFactIds(input);
  }

  /**
   * Retention compactions, exact prunes and segment purges, oldest first; with `store`, those
   * that touched it.
   */
  compactionActivity(input: StoreFilterInput = {}): CompactionActivity[] {
    this.#assertOpen();
    return this.#lifecycle.compactionActivity(input);
  }

  /**
   * Writes a snapshot so that a reopen replays only the delta (no-op in memory), and returns the
   * store. A file store does the work in the background, copying its stored frames off the event
   * loop while writes go on (they follow the snapshot); `flush()` resolves once the snapshot is
   * durable and rejects with `ERR_CORRUPT_LOG` for a damaged frame met on the way or a system
   * error (nothing changes then), and `close()` waits for it. Other backends write it before
   * returning. Throws `ERR_CLOSED` and `ERR_READ_ONLY`.
   */
  checkpoint(): this {
    this.#assertWritable();
    this.#checkpoints.checkpoint(this.#backend, this.#log);
    return this;
  }

  // ---------------------------------------------------------------- replication

  /**
   * `'writer'` for the store that commits (every in-memory store), `'follower'` for a read-only
   * copy that applies what a writer elsewhere commits (`followPostgresStore`, `followFileStore`).
   */
  get role(): StoreRole {
    return this.#backend?.role?.() ?? 'writer';
  }

  /**
   * Resolves once this store has applied every fact up to `seq` (on a writer: once it committed
   * it). Rejects with `ERR_TIMEOUT` after `timeoutMs`, `ERR_INVALID_ARGUMENT` for a bad seq or
   * timeout, and with the store's closing error (`ERR_CLOSED`). Cost: nothing while waiting.
   */
  waitForSeq(seq: number, options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      this.#assertOpen();
      const timeoutMs = checkWaitForSeq(seq, options);
      return this.#seqWaiters.wait(seq, this.#log.lastSeq(), timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Makes a follower the writer once the writer lock is free: takes the lock, applies everything
   * committed before, then accepts writes, continuing the seq (rules registered here run from
   * then on). Resolves at once on a writer. Rejects with `ERR_LOCKED` while another writer holds
   * the lock, and `ERR_CLOSED`. Cost: a catch-up read of what the follower had not yet applied.
   */
  async promote(): Promise<void> {
    this.#assertOpen();
    if (this.role === 'writer') return;
    await this.#backend?.promote?.();
    this.#rules?.reset();
  }

  // ---------------------------------------------------------------- internals for rules & lifecycle

  /** @internal Registers a listener run after each commit (rules, lifecycle). */
  addCommitListener(listener: CommitListener): void {
    this.#writes.addCommitListener(listener);
  }

  /** @internal Commits a fact into any store (internal ones included) without user checks. */
  commitInternal(input: WriteInput, kind: CommitKind, persist?: (fact: Fact) => void): Fact {
    this.#assertOpen();
    return this.#writes.commitInternal(input, kind, persist);
  }

  /** @internal The engine behind the store. */
  get internalEngine(): Engine {
    return this.#log;
  }

  /** @internal The backend, if any. */
  get internalBackend(): Backend | undefined {
    return this.#backend;
  }

  /** The time in ms by the store's clock (the `clock` option, else `Date.now`). */
  now(): number {
    return this.#state.clock.now();
  }

  /**
   * @internal Reports a contained rule/consumer/coercion error to `onRuleError`; returns the
   * `ERR_RULE_FAILED` it reported (`details.rule` names the rule, when one failed).
   */
  reportRuleError(
    kind: string,
    fact: { store: string; key: string; id: string },
    cause: unknown,
    rule?: string,
  ): IgniterError {
    const error = ruleFailure(kind, fact, cause, rule);
    try {
      this.#onRuleError(error);
    } catch {
      // A failing error handler must not undo a committed fact either.
    }
    return error;
  }

  /** @internal Drops all derived state after facts were removed (compaction, prune). */
  afterRemoval(removed: readonly Fact[]): void {
    this.#state.scopeIndex.clear();
    this.#state.partitionIndex.clear();
    this.#state.cache.clear();
    this.#rules?.reset();
    this.#reads.afterRemoval();
    this.#writes.forget(removed);
  }

  // ---------------------------------------------------------------- private

  #ruleRegistry(): RuleRegistry {
    this.#rules ??= new RuleRegistry({
      schemaGraph: this.schemaGraph,
      internalEngine: this.#log,
      addCommitListener: (listener) => this.addCommitListener(listener),
      commitInternal: (input, kind) => this.commitInternal(input, kind),
      read: (input) => this.read(input),
      reportRuleError: (kind, fact, cause, rule) => this.reportRuleError(kind, fact, cause, rule),
      isOpen: () => !this.#closed,
      factCount: (store) => this.#log.storeCounts(store).factCount,
    });
    return this.#rules;
  }

  #assertOpen(): void {
    if (this.#closed) throw new IgniterError('ERR_CLOSED', 'the store is closed');
  }

  /** The one read-only guard: a follower refuses every call that would commit or rewrite. */
  #assertWritable(): void {
    this.#assertOpen();
    if (this.role === 'follower') {
      throw new IgniterError('ERR_READ_ONLY', 'this store follows a writer elsewhere and is read-only');
    }
  }

  /** A follower registers rules (they run once it is promoted) but cannot backfill: that writes. */
  #assertMayRegister(input: unknown): void {
    const backfill =
      typeof input === 'object' && input !== null && (input as { backfill?: unknown }).backfill === true;
    if (backfill) this.#assertWritable();
    else this.#assertOpen();
  }

  /** The backend stopped for good (a follower's connection and lock are gone): the store closes. */
  #closedBy(error: IgniterError): void {
    this.#closed = true;
    this.#seqWaiters.fail(error);
    this.#closing ??= this.#backend ? this.#backend.close() : Promise.resolve();
    this.#closing.catch(() => undefined);
  }
}
