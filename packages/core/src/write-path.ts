import { appendKey } from './append-key.js';
import {
  checkCausation,
  checkExpectation,
  checkIdempotencyKey,
  checkInput,
  checkMetaObject,
  checkName,
  checkSchemaVersion,
  checkWritableStore,
  toMs,
} from './args.js';
import { type Backend, PartialWriteError } from './backend.js';
import { partialBatchError } from './batch-error.js';
import type { ChangeSink, CommitKind } from './change-event.js';
import { jsonText } from './engine/json-text.js';
import { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import { differingField, type IdempotentRequest, idempotencyConflict, requestOf } from './idempotency.js';
import { IdempotencyIndex, pathSlot } from './indexes.js';
import { APPEND_FIELDS, WRITE_FIELDS } from './input-fields.js';
import { isJsonObject } from './json.js';
import { COMPACT_PRODUCER, PRUNE_PRODUCER } from './lifecycle/types.js';
import type { AccessPath, ConsumerEvent } from './schema-graph.js';
import type { StoreState } from './store-state.js';
import type { AppendEventInput, WriteInput } from './store-types.js';
import { type PreparedWrite, planBatch } from './write-batch.js';

/** The commit kind a follower reports for a fact it did not commit (an append reads as a write). */
function replicatedKind(fact: Fact): CommitKind {
  if (fact.derivation !== null) return 'derived';
  const producer = fact.producer?.kind;
  if (producer === PRUNE_PRODUCER) return 'pruned';
  return producer === COMPACT_PRODUCER ? 'compacted' : 'write';
}

/** Called after each committed fact, once consumers and the changefeed have seen it. */
export type CommitListener = (fact: Fact, kind: CommitKind) => void;

/** Where committed facts go besides the store's state. */
export interface WriteSinks {
  readonly backend: Backend | undefined;
  readonly changefeed: ChangeSink | undefined;
  readonly maxValueBytes: number;
}

/** A fact committed but not yet announced: its changefeed entry and the scope paths it touched. */
interface Committed {
  publication: { fact: Fact; kind: CommitKind; ready: boolean };
  touched: AccessPath[];
}

/**
 * The write path of a store: checks arguments, idempotency keys and expectations (a whole batch
 * up front), then commits each fact in the order of ARCHITECTURE.md D4 and publishes it in seq order
 * (D12). `IgniterStore` documents each call; it checks that the store is open.
 */
export class WritePath {
  readonly #state: StoreState;
  readonly #sinks: WriteSinks;
  readonly #idempotency = new IdempotencyIndex();
  readonly #listeners: CommitListener[] = [];
  /** Committed facts waiting for their changefeed event, in seq order (see #publishReady). */
  readonly #unpublished: Array<{ fact: Fact; kind: CommitKind; ready: boolean }> = [];

  constructor(state: StoreState, sinks: WriteSinks) {
    this.#state = state;
    this.#sinks = sinks;
  }

  write(input: WriteInput): Fact {
    const prepared = this.#prepareWrite(input, 'write');
    const existing = this.#idempotentRepeat(prepared);
    if (existing) return existing;
    this.#checkExpectation(prepared);
    return this.#commit(prepared, 'write');
  }

  writeMany(inputs: readonly WriteInput[]): Fact[] {
    if (!Array.isArray(inputs)) throw new IgniterError('ERR_INVALID_ARGUMENT', 'writeMany takes an array');
    const prepared = inputs.map((input, i) => this.#prepareWrite(input, `inputs[${i}]`));
    this.#validateBatch(prepared);
    // The whole batch is stored (engine and backend, all or nothing) before any consumer, rule
    // or changefeed subscriber runs, so none of them can write between its items or close the
    // store halfway through it.
    const { facts, committed, error } = this.#storeBatch(prepared);
    for (const done of committed) this.#announce(done);
    if (error !== undefined) throw error;
    return facts;
  }

  append(input: AppendEventInput): Fact {
    checkInput<AppendEventInput>(input, 'append input', APPEND_FIELDS);
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
    const existing = this.#idempotentRepeat(prepared);
    if (existing) return existing;
    if (partitionKey !== undefined) this.#state.partitionIndex.of(store, partitionKey);
    return this.#commit(prepared, 'append');
  }

  /** Commits a fact into any store (internal ones included) without user checks. */
  commitInternal(input: WriteInput, kind: CommitKind, persist?: (fact: Fact) => void): Fact {
    const prepared = this.#prepareWrite(input, 'internal', false);
    return this.#commit(prepared, kind, persist);
  }

  /**
   * Applies facts another process committed (a follower's writer), in seq order: the engine
   * loads them in one batch, then indexes, consumers and the changefeed see each as after a
   * commit (a consumer may already read later facts of the same batch). Commit listeners
   * (rules, derivations) do not run: their facts arrive from the writer.
   */
  applyReplicated(facts: readonly Fact[]): void {
    const { log, clock, schemaGraph } = this.#state;
    // Each fact's previous fact of its key, as it stood before that fact: the engine's latest
    // before the batch, or an earlier fact of the batch.
    const previous: (Fact | undefined)[] = [];
    const latestInBatch = new Map<string, Fact>();
    for (const fact of facts) {
      if (schemaGraph.pathsFor(fact.store).length === 0) {
        previous.push(undefined);
        continue;
      }
      const slot = JSON.stringify([fact.store, fact.key]);
      previous.push(latestInBatch.get(slot) ?? log.latestFor(fact.store, fact.key));
      latestInBatch.set(slot, fact);
    }
    log.load(facts);
    facts.forEach((fact, i) => {
      clock.committed(fact.transactionTime);
      this.#idempotency.remember(fact);
      this.#notify(fact, this.#updateIndexes(fact, previous[i], fact.value));
      this.#sinks.changefeed?.publish(fact, replicatedKind(fact));
    });
  }

  /** Registers a listener run after each commit. */
  addCommitListener(listener: CommitListener): void {
    this.#listeners.push(listener);
  }

  /** Takes up a replayed log: its last fact's transaction time and the idempotency keys of `keyed`. */
  restore(last: Fact | undefined, keyed: readonly Fact[]): void {
    if (last) this.#state.clock.committed(last.transactionTime);
    for (const fact of keyed) this.#idempotency.remember(fact);
  }

  /** Forgets the idempotency keys of facts removed from the log. */
  forget(removed: readonly Fact[]): void {
    for (const fact of removed) this.#idempotency.forget(fact);
  }

  #prepareWrite(input: WriteInput, what: string, userWrite = true): PreparedWrite {
    checkInput<WriteInput>(input, what, WRITE_FIELDS);
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

  /**
   * The existing fact for a repeated idempotency key that asks for exactly the same thing (key,
   * canonical value, validTime, schemaVersion, producer, derivation); `ERR_CONFLICT` when it asks
   * for anything else.
   */
  #idempotentRepeat(prepared: PreparedWrite, batchHash?: string): Fact | undefined {
    const { input } = prepared;
    if (input.idempotencyKey === null) return undefined;
    const log = this.#state.log;
    const id = this.#idempotency.factIdFor(input.store, input.idempotencyKey);
    const fact = id === undefined ? undefined : log.byId(id);
    if (!fact) return undefined;
    const repeat = requestOf(input, prepared.freshKey === true, batchHash ?? log.valueHash(input.value));
    const field = differingField(fact, repeat, (v) => log.valueHash(v));
    if (field === undefined) return fact;
    throw idempotencyConflict(input.store, input.idempotencyKey, fact.id, field);
  }

  #checkExpectation(prepared: PreparedWrite, actualSeq?: number | null): void {
    const expect = prepared.expect;
    if (!expect) return;
    const { store, key } = prepared.input;
    const actual = actualSeq !== undefined ? actualSeq : (this.#state.log.latestFor(store, key)?.seq ?? null);
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
    const log = this.#state.log;
    const maxValueBytes = this.#sinks.maxValueBytes;
    const predictedLatest = new Map<string, number>();
    const batchKeys = new Map<string, IdempotentRequest>();
    // Seq predictions matter only when some input carries an expectation.
    const tracksExpectations = batch.some((p) => p.expect !== undefined);
    let nextSeq = log.lastSeq();
    for (const p of batch) {
      const { store, key, idempotencyKey } = p.input;
      // Validates the value as the engine will (ERR_INVALID_VALUE) without canonicalizing it:
      // a valid value's JSON.stringify text is exactly as long as its canonical JSON.
      const text = jsonText(p.input.value);
      if (text.length * 3 > maxValueBytes && Buffer.byteLength(text, 'utf8') > maxValueBytes) {
        throw new IgniterError('ERR_VALUE_TOO_LARGE', `value of ${store}/${key} is over the size limit`);
      }
      if (idempotencyKey !== null) {
        const hash = log.valueHash(p.input.value);
        const id = JSON.stringify([store, idempotencyKey]);
        const earlier = batchKeys.get(id);
        if (earlier !== undefined) {
          const field = differingField(earlier, requestOf(p.input, false, hash), (v) => log.valueHash(v));
          if (field !== undefined) throw idempotencyConflict(store, idempotencyKey, null, field);
          continue;
        }
        batchKeys.set(id, requestOf(p.input, false, hash));
        if (this.#idempotentRepeat(p, hash)) continue;
      }
      if (!tracksExpectations) continue;
      const slot = JSON.stringify([store, key]);
      if (p.expect !== undefined) {
        const predicted = predictedLatest.get(slot);
        this.#checkExpectation(p, predicted ?? log.latestFor(store, key)?.seq ?? null);
      }
      nextSeq += 1;
      predictedLatest.set(slot, nextSeq);
    }
  }

  /**
   * Stores a checked batch: the new facts in one engine append and one backend call
   * (`Backend.writeFacts`), so that storage takes all of them or none, then the clock,
   * idempotency keys and indexes in seq order. An input repeating an idempotency key (stored
   * before, or earlier in the batch) gets that fact. A backend with only `writeFact` can refuse
   * partway: the facts it took stay committed and come back, to be announced, with the error.
   */
  #storeBatch(batch: readonly PreparedWrite[]): { facts: Fact[]; committed: Committed[]; error?: unknown } {
    const { log, clock } = this.#state;
    const plan = planBatch(batch, log, clock, this.#state.schemaGraph, (p) => this.#idempotentRepeat(p));
    const { facts } = plan;
    if (plan.inputs.length === 0) return { facts, committed: [] };
    const before = log.lastSeq();
    // All or none: a refused input leaves the engine (and a native writer) untouched.
    const appended = log.append(plan.inputs);
    const backend = this.#sinks.backend;
    let taken = appended.length;
    let error: unknown;
    if (backend) {
      try {
        if (backend.writeFacts) backend.writeFacts(appended);
        else for (taken = 0; taken < appended.length; taken++) backend.writeFact(appended[taken] as Fact);
      } catch (caught) {
        let cause = caught;
        if (caught instanceof PartialWriteError) ({ cause, written: taken } = caught);
        else if (backend.writeFacts) taken = 0;
        log.truncateAfter(taken === 0 ? before : (appended[taken - 1] as Fact).seq);
        if (taken === 0) throw cause;
        error = partialBatchError(cause, taken, batch.length, (appended[taken - 1] as Fact).seq);
      }
    }
    const committed: Committed[] = [];
    for (let k = 0; k < taken; k++) {
      const fact = appended[k] as Fact;
      const at = plan.positions[k] as number;
      facts[at] = fact;
      const previous = plan.previous[k];
      const prior = typeof previous === 'number' ? facts[previous] : previous;
      committed.push(this.#stored(fact, prior, (batch[at] as PreparedWrite).input.value, 'write'));
    }
    for (const [at, first] of plan.repeats) facts[at] = facts[first] as Fact;
    return { facts, committed, error };
  }

  /** Runs the commit order of ARCHITECTURE.md D4 for one fact. */
  #commit(prepared: PreparedWrite, kind: CommitKind, persist?: (fact: Fact) => void): Fact {
    const done = this.#store(prepared, kind, persist);
    this.#announce(done);
    return done.publication.fact;
  }

  /**
   * Commits one fact (engine, backend, clock, idempotency key, indexes) and queues its changefeed
   * event; nothing outside the store sees it until {@link announce}.
   */
  #store(prepared: PreparedWrite, kind: CommitKind, persist?: (fact: Fact) => void): Committed {
    const { log, clock } = this.#state;
    const { input } = prepared;
    // The clock is read once per fact: the same reading dates the fact and an append's key.
    const transactionTime = clock.next();
    const key = prepared.freshKey ? appendKey(transactionTime) : input.key;
    // The key's previous fact matters to the scope index only when the store has access
    // paths; otherwise the causation link needs just its id, which the engine finds itself.
    const previous =
      prepared.freshKey || this.#state.schemaGraph.pathsFor(input.store).length === 0
        ? undefined
        : log.latestFor(input.store, key);
    // Without the previous fact at hand, the engine links the causation itself.
    const causeLatest = !prepared.explicitCausation && !prepared.freshKey && previous === undefined;
    const causation = prepared.explicitCausation ? input.causation : (previous?.id ?? null);
    const before = log.lastSeq();
    // Spelled out rather than spread: this runs once per write and a spread copy is slow. A fact
    // persisted another way (a lifecycle rewrite) must not reach the backend's log through the
    // engine's native write path.
    const fact = log.append(
      [
        {
          store: input.store,
          key,
          value: input.value,
          causation,
          causeLatest,
          transactionTime,
          validTime: input.validTime,
          schemaVersion: input.schemaVersion,
          producer: input.producer,
          derivation: input.derivation,
          idempotencyKey: input.idempotencyKey,
        },
      ],
      persist === undefined,
    )[0];
    if (!fact) throw new IgniterError('ERR_INVALID_ARGUMENT', 'the engine appended nothing');
    const backend = this.#sinks.backend;
    // Called directly, not through a closure made per write.
    if (persist !== undefined || backend !== undefined) {
      try {
        if (persist !== undefined) persist(fact);
        else backend?.writeFact(fact);
      } catch (error) {
        log.truncateAfter(before);
        throw error;
      }
    }
    return this.#stored(fact, previous, input.value, kind);
  }

  /**
   * Takes note of a fact the engine and backend hold (clock, idempotency key, indexes) and queues
   * its changefeed event; `previous` is its key's fact before it.
   */
  #stored(fact: Fact, previous: Fact | undefined, value: unknown, kind: CommitKind): Committed {
    this.#state.clock.committed(fact.transactionTime);
    this.#idempotency.remember(fact);
    const touched = this.#updateIndexes(fact, previous, value);
    const publication = { fact, kind, ready: false };
    if (this.#sinks.changefeed) this.#unpublished.push(publication);
    return { publication, touched };
  }

  /** Tells consumers, the changefeed (in seq order) and commit listeners about a stored fact. */
  #announce({ publication, touched }: Committed): void {
    const { fact, kind } = publication;
    this.#notify(fact, touched);
    publication.ready = true;
    this.#publishReady();
    for (const listener of this.#listeners) listener(fact, kind);
  }

  /**
   * Publishes committed facts in seq order (D12). A fact that a consumer commits while the fact
   * that triggered it is still being notified waits until that earlier fact is published.
   */
  #publishReady(): void {
    const changefeed = this.#sinks.changefeed;
    if (!changefeed) return;
    while (this.#unpublished[0]?.ready) {
      const next = this.#unpublished.shift();
      if (next) changefeed.publish(next.fact, next.kind);
    }
  }

  /** Maintains scope and partition indexes and the cache; returns the scope paths touched. */
  #updateIndexes(fact: Fact, previous: Fact | undefined, value: unknown): AccessPath[] {
    const { cache, scopeIndex, partitionIndex, schemaGraph } = this.#state;
    const { store, key } = fact;
    cache.invalidateKey(store, key);
    const touched = scopeIndex.apply(store, schemaGraph.pathsFor(store), key, previous, value);
    for (const path of touched) cache.invalidateScope(store, pathSlot(path.scope));
    partitionIndex.apply(fact, value);
    return touched;
  }

  /** Calls point consumers of the store and scope consumers of touched scopes. */
  #notify(fact: Fact, touched: readonly AccessPath[]): void {
    for (const path of this.#state.schemaGraph.pathsFor(fact.store)) {
      if (path.consumers.length === 0) continue;
      let event: ConsumerEvent;
      if (path.scope === null) event = { store: fact.store, key: fact.key };
      else if (touched.includes(path)) event = { store: fact.store, scope: path.scope, key: fact.key };
      else continue;
      for (const consumer of path.consumers) {
        try {
          consumer(event);
        } catch (error) {
          this.#state.reportRuleError('consumer', fact, error);
        }
      }
    }
  }
}
