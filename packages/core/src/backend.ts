import type { Time } from './args.js';
import type { Engine, EngineKind, PreloadedFacts } from './engine/types.js';
import type { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import type { BackupWritten, StoredEntry } from './integrity/types.js';

/** Why open cut bytes from a data file. */
export type CutReason =
  /** The file ends inside a frame, or a frame's length points past the end: a torn write. */
  | 'incomplete'
  /** The last frame fails its CRC-32. */
  | 'bad-crc'
  /** The last frame's length is over the limit. */
  | 'too-large'
  /** A zero-length frame at the end (a zero-filled block). */
  | 'empty'
  /** `repair: true` moved a damaged frame with intact frames after it, and everything after it. */
  | 'repair'
  /** `repair: true` rebuilt a damaged snapshot from its intact frames. */
  | 'snapshot-repair';

/**
 * Bytes that open removed from a data file, and where they were kept (`storageStats().recovered`,
 * `onRecover`, the `IGNITER_RECOVERED` warning).
 */
export interface RecoveredCut {
  /** The data file that was cut. */
  file: string;
  /** Offset in that file of the first byte removed. */
  offset: number;
  /** Bytes removed (all of them are in `sideFile`). */
  bytes: number;
  /** The file that holds a copy of the removed bytes, next to `file`. */
  sideFile: string;
  /** Seq of the last fact kept before the cut (0 when none). */
  lastIntactSeq: number;
  reason: CutReason;
}

/** Storage statistics of a durable backend (`null` from an in-memory store). */
export interface StorageStats {
  /** Which backend holds the data. */
  backend: 'file' | 'segmented' | 'postgres';
  /** Bytes of every data file of the store. */
  byteSize: number;
  /** Facts stored. */
  factCount: number;
  /** Bytes cut from data files when the store was opened: the sum of `recovered[].bytes`. */
  recoveredTailBytes: number;
  /** Every cut open made, with the side file that keeps the cut bytes (empty when none). */
  recovered: RecoveredCut[];
  /** Facts and bytes per store (filtered by `store` when given). */
  stores: { [store: string]: { factCount: number; byteSize: number } };
}

/** One segment of a store in a segmented backend. */
export interface SegmentInfo {
  /** The segment number (never reused). */
  segment: number;
  /** Whether the segment is closed to writes. */
  sealed: boolean;
  /** Lowest seq in the segment, or null when empty. */
  minSeq: number | null;
  /** Highest seq in the segment, or null when empty. */
  maxSeq: number | null;
  /** Lowest transaction time, or null when empty. */
  minTime: number | null;
  /** Highest transaction time, or null when empty. */
  maxTime: number | null;
  /** Facts in the segment. */
  factCount: number;
  /** Size of the segment file in bytes. */
  byteSize: number;
  /** How facts are encoded in the segment. */
  codec: string;
}

/** The segments of every store of a segmented backend. */
export interface SegmentManifest {
  /** Segments by store, in segment order. */
  stores: { [store: string]: SegmentInfo[] };
}

/** What a segment purge removed; durable, listed by `compactionActivity()`. */
export interface PurgeReceipt {
  /** The store the segment belonged to. */
  store: string;
  /** The segment number (never reused). */
  segment: number;
  /** How many facts the segment held. */
  factCount: number;
  /** Why it was purged. */
  reason: string;
  /** Store-clock ms of the purge. */
  purgedAt: number;
}

/**
 * What `purge` removes: the sealed segments whose newest fact is older than `before`, or exactly
 * the sealed `segments` of `store`; one of the two is required.
 */
export interface PurgeInput {
  /** Only segments of this store (required with `segments`). */
  store?: string;
  /** Purge sealed segments whose newest fact's transaction time is before this. */
  before?: Time;
  /** Purge exactly these sealed segments of `store`. */
  segments?: readonly number[];
  /** Why, recorded in each receipt. */
  reason?: string;
}

/** Filters of `purgeReceipts`: of one store, purged at or after `since`, the oldest `limit`. */
export interface PurgeReceiptsInput {
  /** Only receipts of this store. */
  store?: string;
  /** Only receipts with purgedAt >= since. */
  since?: Time;
  /** At most this many (the oldest first), an integer >= 1. */
  limit?: number;
}

/** The facts a segment purge removed: every fact of `store` with minSeq <= seq <= maxSeq. */
export interface PurgedRange {
  store: string;
  minSeq: number;
  maxSeq: number;
}

/** Metadata a snapshot carries besides the facts. */
export interface SnapshotMeta {
  /** The highest seq ever committed; the next fact gets a larger one even after a prune. */
  lastSeq: number;
}

/** What a store over a backend may do: commit (the one writer), or only follow a writer elsewhere. */
export type StoreRole = 'writer' | 'follower';

/**
 * How a backend tells its store about changes made by another process and about its own end
 * (`Backend.link`); the store implements it.
 */
export interface StoreLink {
  /**
   * Facts another process committed (the writer a follower follows), in seq order, each above
   * every fact applied before, then the writer's high-water seq.
   */
  applyFacts(facts: readonly Fact[], highWaterSeq: number): void;
  /** Facts another process removed (its compaction, prune or purge), by id. */
  removeFacts(ids: readonly string[]): void;
  /** The backend stopped for good (its connection, and with it its lock, is gone): the store closes. */
  closed(error: IgniterError): void;
}

/**
 * What `Backend.writeFacts` throws when a system error (`cause`) stopped it after it had taken
 * the first `written` facts of the batch.
 */
export class PartialWriteError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly written: number,
  ) {
    super(`storage failed after the first ${written} facts of a batch`);
    this.name = 'PartialWriteError';
  }
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
  /**
   * Persists a `writeMany` batch as one unit: checks every fact first and takes all of them or,
   * throwing, none, except when a system error stops it partway after it had taken some (the
   * backend then refuses everything): it throws a {@link PartialWriteError} saying how many. A
   * backend without it gets `writeFact` per fact, so a refusal partway leaves the facts before
   * it committed (the store's error says how many).
   */
  writeFacts?(facts: readonly Fact[]): void;
  /** Resolves when every fact written so far is durable. */
  flush(): Promise<void>;
  /** Flushes and releases the backend (its lock included). */
  close(): Promise<void>;

  /**
   * A log the backend read at open, taken once (then undefined): replayed natively for a
   * native engine, or indexed but not decoded for the TS engine (`LazyFacts`). The store lets
   * its engine adopt it instead of loading `replay()`, and passes its engine's kind as
   * `engine` (a backend may then skip handing over a log of the other kind). A backend that
   * returns one still answers `replay()`: an engine that cannot adopt it reads that instead.
   */
  takePreloaded?(engine?: EngineKind): PreloadedFacts | undefined;
  /** The highest seq ever written, also of facts since pruned (after `replay`). */
  highWaterSeq?(): number;
  /** Writes a snapshot of the live facts so that a reopen replays only what follows. */
  writeSnapshot?(facts: readonly Fact[], meta: SnapshotMeta): void;
  /**
   * Writes a snapshot of everything stored up to `meta.lastSeq` from the stored data itself,
   * off the event loop: writes continue meanwhile (they follow the snapshot). Preferred to
   * `writeSnapshot` by `store.checkpoint()`. Crash-safe as `writeSnapshot`.
   */
  checkpoint?(meta: SnapshotMeta): Promise<void>;
  /** Atomically replaces all stored facts with these (compaction and prune). */
  replaceWithSnapshot?(facts: readonly Fact[], meta: SnapshotMeta): void;
  /** Sizes of the stored data (file backends). */
  storageStats?(opts?: { store?: string }): StorageStats;
  /** The segments of every store (segmented backends). */
  segmentManifest?(opts?: { store?: string }): SegmentManifest;
  /** Removes sealed segments older than `before`, or the listed ones (segmented backends). */
  purge?(opts: PurgeInput): PurgeReceipt[];
  /**
   * Writes a consistent copy holding exactly `facts` (every live fact, seq order) and continuing
   * above `meta.lastSeq`, to `destPath`, crash-safely, without long pauses of the event loop.
   */
  backup?(destPath: string, facts: readonly Fact[], meta: SnapshotMeta): Promise<BackupWritten>;
  /**
   * Reads every data file again, read-only (never repairs), yielding the facts a reopen would
   * load with their file and offset, and every problem of the files themselves.
   */
  verifyFiles?(): AsyncIterable<StoredEntry>;
  /** Receipts of every purge so far, oldest first, optionally filtered (segmented backends). */
  purgeReceipts?(opts?: PurgeReceiptsInput): PurgeReceipt[];
  /** Registers a listener told which facts a purge removed, so a running store forgets them too. */
  onPurge?(listener: (purged: readonly PurgedRange[]) => void): void;
  /** Whether this backend commits or only follows a writer elsewhere (absent: a writer). */
  role?(): StoreRole;
  /**
   * Called once by the store after replay with its engine: a backend with a native write path
   * attaches its writer to a native engine (`Engine.attachWal`), which then frames each fact in
   * the call that appends it; `writeFact` still follows for every fact.
   */
  linkEngine?(engine: Engine): void;
  /** Called once by the store after replay: where to report changes made elsewhere and the backend's end. */
  link?(link: StoreLink): void;
  /**
   * Makes a follower the writer: takes the writer lock (`ERR_LOCKED` while another writer holds
   * it), applies through the link everything committed before, then accepts writes.
   */
  promote?(): Promise<void>;
}
