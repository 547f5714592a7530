import type { FactRef } from '../fact.js';
import type { JsonObject } from '../json.js';

/** How long a store keeps superseded facts. */
export type RetentionStrategy = 'permanent' | 'ephemeral' | 'rolling_window';

/** A store's retention policy: `duration` (ms) is required for `rolling_window` only. */
export interface RetentionPolicy {
  strategy: RetentionStrategy;
  duration?: number;
}

/** What `compact()` did to one store. */
export interface CompactionResult {
  store: string;
  strategy: RetentionStrategy;
  droppedCount: number;
  keptCount: number;
  /** Id of the receipt fact in `__compaction_receipts`; null when nothing was dropped. */
  receiptId: string | null;
}

/** The input of `pruneFactIds`. */
export interface PruneInput {
  factIds: string[];
  reason: string;
  metadata?: JsonObject;
  /** Where the receipt goes (default "__fact_prune_receipts"). */
  receiptStore?: string;
}

/** What `pruneFactIds` did. */
export type PruneResult =
  | {
      status: 'ok';
      receiptId: string | null;
      prunedCount: number;
      missingCount: number;
      prunedFactRefs: FactRef[];
      missingIds: string[];
    }
  | { status: 'unsupported'; reason: 'backend_does_not_support_exact_prune'; backend: string };

/** One entry of `compactionActivity()`. */
export interface CompactionActivity {
  kind: 'retention_compaction' | 'exact_prune' | 'segment_purge';
  executor: 'store_compact' | 'fact_prune' | 'segmented_backend';
  store: string | null;
  status: 'ok';
  reason: string;
  factCount: number;
  receiptId: string;
  occurredAt: number;
}

/** The store of compaction receipts. */
export const COMPACTION_RECEIPTS = '__compaction_receipts';
/** The default store of prune receipts. */
export const PRUNE_RECEIPTS = '__fact_prune_receipts';
