import type { FactRef } from '../fact.js';
import type { JsonObject } from '../json.js';

/** How long a store keeps superseded facts. */
export type RetentionStrategy = 'permanent' | 'ephemeral' | 'rolling_window';

/** A store's retention policy: `duration` (ms) is required for `rolling_window` only. */
export interface RetentionPolicy {
  /** 'permanent' keeps everything, 'ephemeral' the latest fact per key, 'rolling_window' also facts newer than `duration`. */
  strategy: RetentionStrategy;
  /** Window in ms; required (> 0) for rolling_window. */
  duration?: number;
}

/** What `compact()` did to one store. */
export interface CompactionResult {
  /** The compacted store. */
  store: string;
  /** Its retention strategy. */
  strategy: RetentionStrategy;
  /** How many facts left the log. */
  droppedCount: number;
  /** How many facts of the store remain. */
  keptCount: number;
  /** Id of the receipt fact in `__compaction_receipts`; null when nothing was dropped. */
  receiptId: string | null;
}

/** The input of `pruneFactIds`. */
export interface PruneInput {
  /** Ids of the facts to remove; unknown ids are reported as missing. */
  factIds: string[];
  /** Why, recorded in the receipt. */
  reason: string;
  /** Extra JSON recorded in the receipt. */
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
  /** What removed facts. */
  kind: 'retention_compaction' | 'exact_prune' | 'segment_purge';
  /** Which part of Igniter did it. */
  executor: 'store_compact' | 'fact_prune' | 'segmented_backend';
  /** The store it touched, or null when it touched several. */
  store: string | null;
  /** 'ok': only completed operations are listed. */
  status: 'ok';
  /** The strategy, or the reason given to the prune or purge. */
  reason: string;
  /** How many facts were removed. */
  factCount: number;
  /** Id of the receipt fact; "<store>/segment-<n>" for a segment purge. */
  receiptId: string;
  /** Store-clock ms when it happened. */
  occurredAt: number;
}

/** The store of compaction receipts. */
export const COMPACTION_RECEIPTS = '__compaction_receipts';
/** The default store of prune receipts. */
export const PRUNE_RECEIPTS = '__fact_prune_receipts';
/** The `producer.kind` of prune receipts (in whichever receipt store they went). */
export const PRUNE_PRODUCER = 'fact_prune';

/** The producer kind of a compaction receipt fact. */
export const COMPACT_PRODUCER = 'store_compact';
