import { randomBytes } from 'node:crypto';
import { checkInput, checkName } from '../args.js';
import type { Backend, PurgeReceipt } from '../backend.js';
import type { CommitKind } from '../change-event.js';
import type { Engine } from '../engine/types.js';
import { IgniterError } from '../errors.js';
import { type Fact, toFactRef } from '../fact.js';
import { PRUNE_FIELDS, STORE_FILTER_FIELDS } from '../input-fields.js';
import { isJsonObject, type Json, type JsonObject } from '../json.js';
import type { StoreFilterInput, WriteInput } from '../store-types.js';
import { checkRetention, partitionForRetention } from './retention.js';
import { purgeableSegments } from './segment-retention.js';
import {
  COMPACT_PRODUCER,
  COMPACTION_RECEIPTS,
  type CompactionActivity,
  type CompactionResult,
  PRUNE_PRODUCER,
  PRUNE_RECEIPTS,
  type PruneInput,
  type PruneResult,
  type RetentionPolicy,
} from './types.js';

/** What compaction and prune need from the store. */
export interface LifecycleHost {
  readonly internalEngine: Engine;
  readonly internalBackend: Backend | undefined;
  now(): number;
  /** Commits an internal fact; `persist` replaces the backend write (and may change the log). */
  commitInternal(input: WriteInput, kind: CommitKind, persist?: (fact: Fact) => void): Fact;
  /** Drops derived state after facts were removed from the log. */
  afterRemoval(removed: readonly Fact[]): void;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The reason a retention purge records in its receipts. */
function purgeReason(policy: RetentionPolicy): string {
  return policy.strategy === 'rolling_window'
    ? `retention rolling_window: every fact older than the ${policy.duration} ms window`
    : `retention ${policy.strategy}: superseded by a newer sealed segment`;
}

function num(value: Json | undefined): number {
  return typeof value === 'number' ? value : 0;
}

/**
 * Retention, compaction, exact prune and their receipts (ARCHITECTURE.md D11). Every rewrite goes
 * through the backend's `replaceWithSnapshot` together with its receipt, so a crash leaves
 * either the old state or the new one. `seq` is never reused.
 */
export class Lifecycle {
  readonly #host: LifecycleHost;
  readonly #policies = new Map<string, RetentionPolicy>();
  readonly #pruneReceiptStores = new Set<string>([PRUNE_RECEIPTS]);

  constructor(host: LifecycleHost) {
    this.#host = host;
  }

  /** Notes a replayed fact (remembers custom prune receipt stores across reopen). */
  observe(fact: Fact): void {
    if (fact.producer?.kind === PRUNE_PRODUCER) this.#pruneReceiptStores.add(fact.store);
  }

  setRetention(store: string, policy: RetentionPolicy): void {
    this.#policies.set(checkName(store, 'store'), checkRetention(policy));
  }

  /** A copy of the policy of `store`, or undefined when it has none. */
  retentionFor(store: string): RetentionPolicy | undefined {
    const policy = this.#policies.get(checkName(store, 'store'));
    return policy && { ...policy };
  }

  /** The policy of every store that has one, in the order they were first set. */
  retentionSnapshot(): Record<string, RetentionPolicy> {
    const out: Record<string, RetentionPolicy> = {};
    for (const [store, policy] of this.#policies) {
      // defineProperty, so that a store named "__proto__" is an ordinary key.
      Object.defineProperty(out, store, {
        value: { ...policy },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  /**
   * Applies retention to a segmented backend's sealed segments: for `store`, or every store
   * with a non-permanent policy, purges the segments `purgeableSegments` picks, with a receipt
   * each. Throws ERR_INVALID_ARGUMENT without a backend that purges segments.
   */
  purgeSegments(input: StoreFilterInput = {}): PurgeReceipt[] {
    checkInput(input, 'purgeSegments input', STORE_FILTER_FIELDS);
    const backend = this.#host.internalBackend;
    if (!backend?.purge || !backend.segmentManifest) {
      throw new IgniterError(
        'ERR_INVALID_ARGUMENT',
        'purgeSegments needs a backend with segments (SegmentedFileBackend); compact() applies retention to any store',
      );
    }
    const targets =
      input.store === undefined ? [...this.#policies.keys()] : [checkName(input.store, 'store')];
    const now = this.#host.now();
    const receipts: PurgeReceipt[] = [];
    for (const store of targets) {
      const policy = this.#policies.get(store);
      if (!policy) continue;
      const segments = backend.segmentManifest({ store }).stores[store] ?? [];
      const doomed = purgeableSegments(this.#host.internalEngine, store, segments, policy, now);
      if (doomed.length === 0) continue;
      receipts.push(...backend.purge({ store, segments: doomed, reason: purgeReason(policy) }));
    }
    return receipts;
  }

  compact(store?: string): CompactionResult[] {
    if (store !== undefined) {
      const name = checkName(store, 'store');
      const policy = this.#policies.get(name);
      return policy && policy.strategy !== 'permanent' ? [this.#compactStore(name, policy)] : [];
    }
    const results: CompactionResult[] = [];
    for (const [name, policy] of this.#policies) {
      if (policy.strategy !== 'permanent') results.push(this.#compactStore(name, policy));
    }
    return results;
  }

  compactionReceipts(input: { store?: string } = {}): Fact[] {
    checkInput(input, 'compactionReceipts input', STORE_FILTER_FIELDS);
    const receipts = this.#host.internalEngine.factsFor(COMPACTION_RECEIPTS, undefined);
    if (input.store === undefined) return receipts;
    return receipts.filter((f) => isJsonObject(f.value) && f.value.compactedStore === input.store);
  }

  pruneFactIds(input: PruneInput): PruneResult {
    checkInput<PruneInput>(input, 'pruneFactIds input', PRUNE_FIELDS);
    if (!Array.isArray(input.factIds) || input.factIds.some((id) => typeof id !== 'string')) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'factIds must be an array of strings');
    }
    if (typeof input.reason !== 'string' || input.reason.length === 0) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'reason must be a non-empty string');
    }
    const metadata = input.metadata ?? {};
    if (!isJsonObject(metadata)) throw new IgniterError('ERR_INVALID_ARGUMENT', 'metadata must be an object');
    const receiptStore =
      input.receiptStore === undefined ? PRUNE_RECEIPTS : checkName(input.receiptStore, 'receiptStore');
    const backend = this.#host.internalBackend;
    if (backend && typeof backend.replaceWithSnapshot !== 'function') {
      return {
        status: 'unsupported',
        reason: 'backend_does_not_support_exact_prune',
        backend: backend.constructor.name,
      };
    }
    const requested = [...new Set(input.factIds)];
    if (requested.length === 0) {
      return {
        status: 'ok',
        receiptId: null,
        prunedCount: 0,
        missingCount: 0,
        prunedFactRefs: [],
        missingIds: [],
      };
    }
    const engine = this.#host.internalEngine;
    const found: Fact[] = [];
    const missingIds: string[] = [];
    for (const id of requested) {
      const fact = engine.byId(id);
      if (fact) found.push(fact);
      else missingIds.push(id);
    }
    const prunedFactRefs = found.map(toFactRef);
    const receipt = this.#rewrite(
      {
        store: receiptStore,
        key: hex(8),
        value: {
          type: 'fact_prune_receipt',
          reason: input.reason,
          requestedCount: requested.length,
          prunedCount: found.length,
          missingCount: missingIds.length,
          prunedFactRefs: prunedFactRefs.map((ref) => ({ ...ref })),
          missingIds,
          metadata,
          prunedAt: this.#host.now(),
        },
        producer: { kind: PRUNE_PRODUCER },
      },
      'pruned',
      found,
    );
    this.#pruneReceiptStores.add(receiptStore);
    return {
      status: 'ok',
      receiptId: receipt.id,
      prunedCount: found.length,
      missingCount: missingIds.length,
      prunedFactRefs,
      missingIds,
    };
  }

  compactionActivity(input: { store?: string } = {}): CompactionActivity[] {
    checkInput(input, 'compactionActivity input', STORE_FILTER_FIELDS);
    const filter = input.store;
    const entries: Array<CompactionActivity & { seq: number }> = [];
    for (const fact of this.compactionReceipts(filter === undefined ? {} : { store: filter })) {
      const v = fact.value as JsonObject;
      entries.push({
        kind: 'retention_compaction',
        executor: 'store_compact',
        store: typeof v.compactedStore === 'string' ? v.compactedStore : null,
        status: 'ok',
        reason: String(v.strategy),
        factCount: num(v.compactedCount),
        receiptId: fact.id,
        occurredAt: num(v.compactedAt),
        seq: fact.seq,
      });
    }
    const engine = this.#host.internalEngine;
    for (const receiptStore of this.#pruneReceiptStores) {
      for (const fact of engine.factsFor(receiptStore, undefined)) {
        if (fact.producer?.kind !== PRUNE_PRODUCER || !isJsonObject(fact.value)) continue;
        const v = fact.value;
        const stores = new Set(
          (Array.isArray(v.prunedFactRefs) ? v.prunedFactRefs : []).map((r) =>
            isJsonObject(r) ? r.store : null,
          ),
        );
        if (filter !== undefined && !stores.has(filter)) continue;
        const only = stores.size === 1 ? [...stores][0] : null;
        entries.push({
          kind: 'exact_prune',
          executor: 'fact_prune',
          store: typeof only === 'string' ? only : null,
          status: 'ok',
          reason: String(v.reason),
          factCount: num(v.prunedCount),
          receiptId: fact.id,
          occurredAt: num(v.prunedAt),
          seq: fact.seq,
        });
      }
    }
    const purges = this.#host.internalBackend?.purgeReceipts?.() ?? [];
    purges.forEach((r, i) => {
      if (filter !== undefined && r.store !== filter) return;
      entries.push({
        kind: 'segment_purge',
        executor: 'segmented_backend',
        store: r.store,
        status: 'ok',
        reason: r.reason,
        factCount: r.factCount,
        receiptId: `${r.store}/segment-${r.segment}`,
        occurredAt: r.purgedAt,
        seq: Number.MAX_SAFE_INTEGER - purges.length + i,
      });
    });
    entries.sort((a, b) => a.occurredAt - b.occurredAt || a.seq - b.seq);
    return entries.map(({ seq: _seq, ...entry }) => entry);
  }

  #compactStore(store: string, policy: RetentionPolicy): CompactionResult {
    const facts = this.#host.internalEngine.factsFor(store, undefined);
    const now = this.#host.now();
    const { keep, drop } = partitionForRetention(facts, policy, now);
    const result = { store, strategy: policy.strategy, droppedCount: drop.length, keptCount: keep.length };
    if (drop.length === 0) return { ...result, receiptId: null };
    const oldest = drop[0] as Fact;
    const newest = drop[drop.length - 1] as Fact;
    const receipt = this.#rewrite(
      {
        store: COMPACTION_RECEIPTS,
        key: `${store}_${hex(4)}`,
        value: {
          type: 'compaction_receipt',
          compactedStore: store,
          strategy: policy.strategy,
          compactedCount: drop.length,
          oldestDropped: oldest.id,
          newestDropped: newest.id,
          oldestTime: oldest.transactionTime,
          newestTime: newest.transactionTime,
          compactedAt: now,
        },
        producer: { kind: COMPACT_PRODUCER },
      },
      'compacted',
      drop,
    );
    return { ...result, receiptId: receipt.id };
  }

  /**
   * Commits a receipt and drops facts as one durable step: the backend's snapshot of the
   * surviving facts (receipt included) replaces its data before memory changes; a backend
   * without snapshots gets the receipt through `writeFact`.
   */
  #rewrite(receipt: WriteInput, kind: CommitKind, drop: readonly Fact[]): Fact {
    const engine = this.#host.internalEngine;
    const backend = this.#host.internalBackend;
    const dropIds = new Set(drop.map((f) => f.id));
    return this.#host.commitInternal(receipt, kind, (fact) => {
      if (backend?.replaceWithSnapshot) {
        const surviving = engine.all().filter((f) => !dropIds.has(f.id));
        backend.replaceWithSnapshot(surviving, { lastSeq: engine.lastSeq() });
      } else {
        backend?.writeFact(fact);
      }
      const removed = engine.remove(dropIds);
      this.#host.afterRemoval(removed);
    });
  }
}
