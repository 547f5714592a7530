import type { Time } from './args.js';
import type { Fact } from './fact.js';

/** Storage statistics of a durable backend (`null` from an in-memory store). */
export interface StorageStats {
  backend: 'file' | 'segmented';
  byteSize: number;
  factCount: number;
  /** Bytes of a torn tail truncated when the log was opened (a crash artefact). */
  recoveredTailBytes: number;
  stores: { [store: string]: { factCount: number; byteSize: number } };
}

/** One segment of a store in a segmented backend. */
export interface SegmentInfo {
  segment: number;
  sealed: boolean;
  minSeq: number | null;
  maxSeq: number | null;
  minTime: number | null;
  maxTime: number | null;
  factCount: number;
  byteSize: number;
  codec: string;
}

/** The segments of every store of a segmented backend. */
export interface SegmentManifest {
  stores: { [store: string]: SegmentInfo[] };
}

/** What a segment purge removed; durable, listed by `compactionActivity()`. */
export interface PurgeReceipt {
  store: string;
  segment: number;
  factCount: number;
  reason: string;
  purgedAt: number;
}

/** Metadata a snapshot carries besides the facts. */
export interface SnapshotMeta {
  /** The highest seq ever committed; the next fact gets a larger one even after a prune. */
  lastSeq: number;
}

/**
 * Durable storage behind an `IgniterStore`. The store hydrates from `replay()` before any
 * other call, then calls `writeFact` for every committed fact, before the fact becomes visible.
 */
export interface Backend {
  /** Every stored fact in seq order, optionally within inclusive transaction-time bounds. */
  replay(opts?: { since?: Time; asOf?: Time }): Iterable<Fact>;
  /** Persists one fact (per the backend's durability mode); throws to refuse it. */
  writeFact(fact: Fact): void;
  /** Resolves when every fact written so far is durable. */
  flush(): Promise<void>;
  /** Flushes and releases the backend (its lock included). */
  close(): Promise<void>;

  /** The highest seq ever written, also of facts since pruned (after `replay`). */
  highWaterSeq?(): number;
  /** Writes a snapshot of the live facts so that a reopen replays only what follows. */
  writeSnapshot?(facts: readonly Fact[], meta: SnapshotMeta): void;
  /** Atomically replaces all stored facts with these (compaction and prune). */
  replaceWithSnapshot?(facts: readonly Fact[], meta: SnapshotMeta): void;
  storageStats?(opts?: { store?: string }): StorageStats;
  segmentManifest?(opts?: { store?: string }): SegmentManifest;
  purge?(opts: { store?: string; before: Time; reason?: string }): PurgeReceipt[];
  purgeReceipts?(): PurgeReceipt[];
}
