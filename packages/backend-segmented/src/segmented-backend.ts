import * as fs from 'node:fs';
import { join, resolve, sep } from 'node:path';
import {
  type Backend,
  type BackupWritten,
  checkInput,
  type Fact,
  type PurgedRange,
  type PurgeInput,
  type PurgeReceipt,
  type PurgeReceiptsInput,
  type SegmentManifest,
  type SnapshotMeta,
  type StorageStats,
  type StoredEntry,
  type Time,
  toMs,
} from '@igniter/core';
import {
  acquireWriterLock,
  appendFrame,
  checkDataPath,
  FACT_CODECS,
  type FactCodec,
  fsyncDirectory,
  LOG_WINDOW_FIELDS,
  PURGE_FIELDS,
  PURGE_RECEIPTS_FIELDS,
  type WriterLock,
} from '@igniter/core/storage';
import { writeSegmentedBackup } from './backup.js';
import { partBytes, type StorePart, spanOf, storeParts } from './batch-parts.js';
import { badArgument, closedError, hasLoneSurrogate } from './errors.js';
import { GroupSync } from './group-sync.js';
import { CATALOG_FILE, STORES_DIR, storeFolderName } from './layout.js';
import { type LiveSegment, startLiveSegment } from './live-segment.js';
import { checkStoreFolder, openDirectory } from './open-directory.js';
import { type ResolvedOptions, resolveOptions, type SegmentedFileBackendOptions } from './options.js';
import { purgeReceiptsOf, purgeSelection, purgeStores } from './purge.js';
import { copyReport, recoveryOf, reportLost, type SegmentedRecoveryReport } from './recovery-report.js';
import { sealLiveSegment } from './seal.js';
import { replayStores } from './segment-reader.js';
import { Snapshotter } from './snapshotter.js';
import { segmentManifestOf, storageStatsOf } from './store-figures.js';
import { StoreSegments } from './store-segments.js';
import { verifySegmentFiles } from './verify-files.js';

// This file stays over 400 lines for a reason: `SegmentedFileBackend` is the class the Backend
// contract and API.md document, one doc comment per method, and its write path (writeFact,
// writeFacts and the seal a full segment triggers) reads the state this class owns (highWater,
// the failed-batch error, partsUnsynced) on every write. The rest lives beside it:
// open-directory.ts, segment-reader.ts (replay), purge.ts, store-figures.ts (stats, manifest),
// snapshotter.ts (catalog, rewrites), live-segment.ts, recovery-report.ts.

/**
 * A crash-safe fact store split into per-store segment files (ARCHITECTURE.md D8): `<dir>/stores/<escaped
 * store name>/segment-<n>.log`, sealed by size, fact count or time bucket with a manifest each,
 * plus a catalog and a single-writer lock in `<dir>`. Construction opens and recovers the
 * directory synchronously and holds the lock until `close()` (or process death).
 *
 * @example
 * const backend = new SegmentedFileBackend('./data/segments', { maxSegmentBytes: 8 << 20 });
 * const store = new IgniterStore({ backend });
 */
export class SegmentedFileBackend implements Backend {
  /** The directory. */
  readonly dir: string;
  private readonly options: ResolvedOptions;
  private readonly codec: FactCodec;
  private readonly storesDir: string;
  private readonly lock: WriterLock;
  private readonly stores: Map<string, StoreSegments>;
  private readonly recovery: SegmentedRecoveryReport;
  private readonly snapshotter: Snapshotter;
  private readonly groupSync: GroupSync | undefined;
  private highWater: number;
  private closing: Promise<void> | undefined;
  /** The error of a batch write that failed partway: nothing may be written after it. */
  private failed: unknown;
  /** Whether a batch part may not be durable yet (see `syncLive`). */
  private partsUnsynced = true;
  private readonly purgeListeners: Array<(purged: readonly PurgedRange[]) => void> = [];

  /**
   * Opens (or creates) the segmented store in `dir`, creating the directory if needed. Throws
   * `ERR_INVALID_ARGUMENT` for bad options or a `dir` that is a file or under one,
   * `ERR_LOCKED` when it is open in this or another process, `ERR_UNSUPPORTED_FORMAT` for files
   * that are not Igniter's or a non-empty `dir` that is not a segmented store (nothing is
   * written into it), `ERR_CORRUPT_LOG` for
   * damage other than a torn tail of a live segment (unless `repair`), and system errors; the
   * lock is released when it throws. Cost: reads the catalog, every manifest and every live
   * segment; sealed segments are read by `replay`.
   */
  constructor(dir: string, options: SegmentedFileBackendOptions = {}) {
    if (typeof dir !== 'string' || dir.length === 0) throw badArgument('dir must be a non-empty string');
    this.options = resolveOptions(options);
    this.codec = [...FACT_CODECS.values()].find((c) => c.name === this.options.codec) as FactCodec;
    this.dir = resolve(dir);
    this.storesDir = join(this.dir, STORES_DIR);
    checkDataPath(this.dir, 'directory');
    checkStoreFolder(this.dir);
    fs.mkdirSync(this.dir, { recursive: true });
    const { durability, groupCommitMs, groupCommitBytes } = this.options;
    this.groupSync = durability === 'group' ? new GroupSync(groupCommitMs, groupCommitBytes) : undefined;
    this.lock = acquireWriterLock(join(this.dir, CATALOG_FILE), { identity: this.dir });
    try {
      const opened = openDirectory(this.dir, this.options, this.groupSync);
      this.stores = opened.stores;
      this.highWater = opened.highWater;
      this.recovery = recoveryOf(opened);
      this.snapshotter = new Snapshotter(
        this.dir,
        opened.catalog,
        opened.nextSegment,
        this.codec,
        this.options,
      );
      // The catalog lists what is there now (a repair forgets what it lost, once reported).
      this.snapshotter.record(this.stores);
      reportLost(this.recovery.lost);
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  /**
   * Every stored fact in seq order across stores (frozen, values deep-frozen), optionally within
   * inclusive transaction-time bounds: segments whose time range lies outside are not read,
   * the others are filtered fact by fact. Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` for a bad
   * bound, `ERR_CORRUPT_LOG` for a damaged segment (naming the file and offset).
   * Cost: one read and decode of every segment that may hold a fact in the window.
   */
  replay(opts: { since?: Time; asOf?: Time } = {}): Iterable<Fact> {
    this.assertOpen();
    checkInput(opts, 'replay options', LOG_WINDOW_FIELDS);
    const window = { since: toMs(opts.since, 'since'), asOf: toMs(opts.asOf, 'asOf') };
    return replayStores(this.stores.values(), window, this.options.maxFrameBytes);
  }

  /**
   * Appends a fact to its store's live segment, durable per the durability mode before
   * (`'fsync'`) or within the group-commit window after (`'group'`) it returns; seals the live
   * segment first when the fact would pass its size, count or time-bucket limit. A call that
   * throws has written no fact. Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` for a malformed fact
   * or a seq not above every seq written, `ERR_VALUE_TOO_LARGE` for a frame over
   * `maxFrameBytes`, and the system error of a failed write or fsync.
   * Cost: one encode and append (see `durability`); a rotation adds about four fsyncs.
   */
  writeFact(fact: Fact): void {
    this.assertWritable();
    this.place(fact, this.frameOf(fact, this.highWater));
  }

  /**
   * Appends a `writeMany` batch (see `Backend.writeFacts`) crash-atomically: frames and checks
   * every fact, and makes room for it (seals full live segments, starts new ones), before
   * appending any, so a malformed fact, one over `maxFrameBytes` or a failed seal refuses the
   * whole batch. A batch of two or more goes to its stores' live segments as one part per store,
   * each behind a part marker (one write each), and open keeps the batch only if every part is
   * there (ARCHITECTURE.md, "The record format"). A write that fails after some parts went in
   * also commits nothing: the backend then refuses writes (the next open cuts those parts).
   * Cost: one encode per fact, one append per store of the batch.
   */
  writeFacts(facts: readonly Fact[]): void {
    this.assertWritable();
    let highWater = this.highWater;
    const frames = facts.map((fact) => {
      const frame = this.frameOf(fact, highWater);
      highWater = fact.seq;
      return frame;
    });
    if (facts.length < 2) {
      if (facts.length === 1) this.place(facts[0] as Fact, frames[0] as Buffer);
      return;
    }
    const parts = storeParts(facts, frames);
    const span = spanOf(facts);
    const lives = parts.map((part) => this.roomFor(part));
    try {
      parts.forEach((part, i) => {
        (lives[i] as LiveSegment).appendPart(partBytes(part, span), part.facts);
      });
    } catch (error) {
      // Parts already appended stay in their files, but without the rest the batch is not
      // whole: open cuts them. Nothing of it is committed, so nothing may follow it.
      this.failed = error;
      throw error;
    } finally {
      this.partsUnsynced = true;
    }
    this.highWater = span.lastSeq;
  }

  /** The live segment that takes `part` whole: sealing the store's full one, starting one. */
  private roomFor(part: StorePart): LiveSegment {
    const store = this.storeFor(part.store);
    const first = part.facts[0] as Fact;
    let live = store.live;
    if (
      live &&
      (live.codec !== this.codec || live.isFullForPart(part.facts.length, part.bytes, first.transactionTime))
    ) {
      this.seal(store);
      live = undefined;
    }
    return live ?? this.startSegment(store);
  }

  /**
   * Seals the live segment of `store`, after making every live segment durable: a sealed
   * segment is never resumed, so every batch part it holds must have all its other parts on
   * disk first (a batch is written before any seal that follows it).
   */
  private seal(store: StoreSegments): void {
    this.syncLive();
    sealLiveSegment(store, this.options.clock());
    // The catalog lists the sealed segment, so that open notices if it goes missing.
    this.snapshotter.record(this.stores);
  }

  /**
   * Makes every live segment's frames durable when a batch part may not be (one was written
   * since the last call, or the segments were resumed at open: a process crash leaves their
   * bytes to the OS); single writes alone need no sync before a seal. Throws the system error of
   * a failed fsync.
   */
  private syncLive(): void {
    if (!this.partsUnsynced) return;
    for (const store of this.stores.values()) store.live?.writer.flushSync();
    this.partsUnsynced = false;
  }

  /** The frame of `fact`, checked (see {@link writeFact}); `highWater` is the seq it must pass. */
  private frameOf(fact: Fact, highWater: number): Buffer {
    const frame = appendFrame(this.codec, fact, highWater, this.options.maxFrameBytes);
    if (hasLoneSurrogate(fact.store)) throw badArgument('store contains a lone UTF-16 surrogate');
    return frame;
  }

  /** Appends a checked frame to its store's live segment, sealing that first when it is full. */
  private place(fact: Fact, frame: Buffer): void {
    const store = this.storeFor(fact.store);
    let live = store.live;
    if (live && (live.codec !== this.codec || live.isFullFor(frame.length, fact.transactionTime))) {
      this.seal(store);
      live = undefined;
    }
    live ??= this.startSegment(store);
    live.append(frame, fact);
    this.highWater = fact.seq;
  }

  /** Resolves when every fact written so far is on disk. Rejects with `ERR_CLOSED` after close. */
  async flush(): Promise<void> {
    this.assertOpen();
    await Promise.all([...this.stores.values()].map((s) => s.live?.writer.flush()));
  }

  /**
   * Flushes, closes the live segments (they stay live: the next open resumes them) and releases
   * the lock; a second call resolves too. Rejects with the system error of a failed flush (the
   * lock is released all the same). Does not seal or checkpoint.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        this.groupSync?.stop();
        const closed = await Promise.allSettled([...this.stores.values()].map((s) => s.live?.close()));
        const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
        if (failed) throw failed.reason;
        this.snapshotter.recordClosed(this.stores);
      } finally {
        this.lock.release();
      }
    })();
    return this.closing;
  }

  /** {@link close}, blocking: for exit handlers and synchronous error paths. */
  closeSync(): void {
    if (this.closing) return;
    this.closing = Promise.resolve();
    try {
      this.groupSync?.stop();
      for (const store of this.stores.values()) store.live?.closeSync();
      this.snapshotter.recordClosed(this.stores);
    } finally {
      this.lock.release();
    }
  }

  /** The highest seq ever written, also of facts since dropped or purged (it survives reopen). */
  highWaterSeq(): number {
    return this.highWater;
  }

  /**
   * Checkpoint: seals every live segment, and stores `facts` (every live fact, seq order) as the
   * whole state up to `meta.lastSeq`, like {@link replaceWithSnapshot}. Throws as it does.
   * Cost: an fdatasync and a manifest per live segment, plus a rewrite of any store whose facts
   * differ from `facts`.
   */
  writeSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.rewrite(facts, meta, true);
  }

  /**
   * Replaces everything stored with `facts` (compaction and prune): the stores whose facts
   * change get a new generation of sealed segments holding exactly their surviving facts, made
   * current by one atomic catalog rewrite; then the old generation's files (live segment
   * included) are removed and their folders fsynced, so once it returns dropped facts are in no
   * file. A crash leaves the old state or the new. Facts of purged segments are not brought back.
   * Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` (facts out of order, above `lastSeq`, or
   * `lastSeq` below a seq written; nothing changes), `ERR_VALUE_TOO_LARGE` and system errors.
   * Cost: one write of the facts of every changed store, four fsyncs per segment written.
   */
  replaceWithSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.rewrite(facts, meta, false);
  }

  /**
   * Removes sealed segments, writing a durable receipt for each first: with `before`, every
   * sealed segment (of `store`, or of every store) whose newest fact's transaction time is before
   * it; with `segments`, exactly those sealed segments of `store` (how `store.purgeSegments()`
   * applies a retention policy). The live segment is never purged. Facts of purged segments never
   * come back, also through a later snapshot. Returns the new receipts. Throws `ERR_CLOSED`,
   * `ERR_INVALID_ARGUMENT` (neither or both of `before` and `segments`, `segments` without
   * `store`, a segment that is not a sealed one of the store, an unknown field; nothing is purged)
   * and system errors. Cost: two fsyncs and two removals per purged segment.
   */
  purge(opts: PurgeInput): PurgeReceipt[] {
    this.assertOpen();
    const selection = purgeSelection(checkInput(opts, 'purge options', PURGE_FIELDS), (name) =>
      this.stores.get(name),
    );
    const now = this.options.clock();
    const only = selection.store;
    const targets = only === undefined ? [...this.stores.values()] : [this.stores.get(only)];
    const receipts = purgeStores(targets, selection, now, (ranges) => {
      for (const listener of this.purgeListeners) listener(ranges);
    });
    if (receipts.length > 0) this.snapshotter.record(this.stores);
    return receipts;
  }

  /** Registers a listener told which facts each purge removed (the store keeps memory in step). */
  onPurge(listener: (purged: readonly PurgedRange[]) => void): void {
    this.purgeListeners.push(listener);
  }

  /**
   * The purge receipts ever written (they survive reopen), oldest first: of `store` when given,
   * purged at or after `since`, at most `limit`. Keeps working after close. Throws
   * `ERR_INVALID_ARGUMENT` for a bad filter. Cost: O(receipts).
   */
  purgeReceipts(opts: PurgeReceiptsInput = {}): PurgeReceipt[] {
    const checked = checkInput(opts, 'purgeReceipts options', PURGE_RECEIPTS_FIELDS);
    return purgeReceiptsOf(this.stores.values(), checked);
  }

  /**
   * Writes `facts` (every live fact, seq order) as a new segmented directory at `destPath` that
   * continues above `meta.lastSeq`, with this backend's segment options; open it with
   * `new SegmentedFileBackend(destPath)`. Written to a temp folder beside it in chunks (the
   * event loop runs between them), fsynced, then renamed into place. Rejects with `ERR_CLOSED`,
   * `ERR_INVALID_ARGUMENT` for a file or non-empty directory at `destPath` or one inside this
   * store's directory, and system errors.
   * Cost: one encode and write of every fact, about four fsyncs per segment.
   */
  async backup(destPath: string, facts: readonly Fact[], meta: SnapshotMeta): Promise<BackupWritten> {
    this.assertOpen();
    const dest = typeof destPath === 'string' ? resolve(destPath) : destPath;
    if (typeof dest === 'string' && (dest === this.dir || dest.startsWith(`${this.dir}${sep}`))) {
      throw badArgument(`backup destination ${dest} is inside this store's directory`);
    }
    const options = { ...this.options, durability: 'none' as const, repair: false };
    return writeSegmentedBackup(destPath, facts, meta, (dir) => new SegmentedFileBackend(dir, options));
  }

  /**
   * A read-only verification pass over every segment, manifest, purge receipt and the catalog as
   * they are on disk now (see `verifySegmentFiles`): facts with their file and offset, and every
   * problem, quarantine files and leftovers of replaced generations included. Throws
   * `ERR_CLOSED` and the system error of a failed open. Cost: one read of every segment.
   */
  verifyFiles(): AsyncIterable<StoredEntry> {
    this.assertOpen();
    return verifySegmentFiles(this.dir, [...this.stores.values()], this.options.maxFrameBytes);
  }

  /**
   * Sizes and counts (`backend: 'segmented'`): bytes of every segment file (buffered writes
   * included), live facts, bytes recovered from torn tails at open, and per-store figures (of
   * one store when `store` is given; the totals stay whole). Keeps working after close.
   * Cost: O(segments).
   */
  storageStats(opts: { store?: string } = {}): StorageStats {
    return storageStatsOf(this.stores.values(), opts, this.recovery);
  }

  /**
   * Every store's segments by number, sealed ones with their manifest figures and the live one
   * last (`sealed: false`); of one store when `store` is given. Keeps working after close.
   * Cost: O(segments).
   */
  segmentManifest(opts: { store?: string } = {}): SegmentManifest {
    return segmentManifestOf(this.stores.values(), opts);
  }

  /** What opening the directory recovered: torn tail bytes, quarantine files, removed leftovers. */
  recoveryReport(): SegmentedRecoveryReport {
    return copyReport(this.recovery);
  }

  private rewrite(facts: readonly Fact[], meta: SnapshotMeta, sealAll: boolean): void {
    this.assertWritable();
    if (!Array.isArray(facts)) throw badArgument('facts must be an array');
    const lastSeq = meta?.lastSeq;
    if (!Number.isSafeInteger(lastSeq) || lastSeq < this.highWater) {
      throw badArgument(`lastSeq must be an integer at least the highest seq written (${this.highWater})`);
    }
    // Every batch is on disk whole before any segment is sealed or rewritten (see `seal`).
    this.syncLive();
    this.snapshotter.replace(this.stores, facts, lastSeq, this.highWater, sealAll);
    this.highWater = lastSeq;
  }

  private storeFor(name: string): StoreSegments {
    const known = this.stores.get(name);
    if (known) return known;
    const folder = join(this.storesDir, storeFolderName(name));
    if (!fs.existsSync(folder)) {
      fs.mkdirSync(folder);
      fsyncDirectory(this.storesDir);
    }
    const store = new StoreSegments(name, folder, this.snapshotter.generationOf(name));
    this.stores.set(name, store);
    return store;
  }

  private startSegment(store: StoreSegments): LiveSegment {
    return startLiveSegment(store, {
      segment: this.snapshotter.allocate(),
      codec: this.codec,
      lastSeq: this.highWater,
      options: this.options,
      groupSync: this.groupSync,
    });
  }

  private assertOpen(): void {
    if (this.closing) throw closedError(this.dir);
  }

  /** {@link assertOpen}, and throws the error of a batch write that failed partway. */
  private assertWritable(): void {
    this.assertOpen();
    if (this.failed !== undefined) throw this.failed;
  }
}
