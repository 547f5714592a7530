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
  STORE_FILTER_FIELDS,
  type WriterLock,
} from '@igniter/core/storage';
import { writeSegmentedBackup } from './backup.js';
import { partBytes, type StorePart, spanOf, storeParts } from './batch-parts.js';
import { badArgument, closedError, hasLoneSurrogate } from './errors.js';
import { GroupSync } from './group-sync.js';
import { CATALOG_FILE, STORES_DIR, segmentPath, storeFolderName } from './layout.js';
import { LiveSegment } from './live-segment.js';
import { checkStoreFolder, openDirectory } from './open-directory.js';
import { type ResolvedOptions, resolveOptions, type SegmentedFileBackendOptions } from './options.js';
import { checkPurgeReceiptsInput, purgeSelection, purgeStore, toPurgeReceipt } from './purge.js';
import { lostEntry, reportLost, type SegmentedRecoveryReport } from './recovery-report.js';
import { sealLiveSegment } from './seal.js';
import { createSegmentFile } from './segment-file.js';
import { mayOverlap, mergeBySeq, readLive, readSealed, windowFilter } from './segment-reader.js';
import { Snapshotter } from './snapshotter.js';
import { StoreSegments } from './store-segments.js';
import { verifySegmentFiles } from './verify-files.js';

function setEntry<T>(target: { [key: string]: T }, key: string, value: T): void {
  // defineProperty, so that a store named "__proto__" is an ordinary key.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

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
      this.recovery = {
        recoveredTailBytes: opened.recoveredTailBytes,
        quarantined: opened.quarantined,
        recovered: opened.recovered,
        removedFiles: opened.removedFiles,
        lost: opened.lost.map(lostEntry),
      };
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
    const keep = windowFilter(window);
    const runs: Fact[][] = [];
    const { maxFrameBytes } = this.options;
    for (const store of this.stores.values()) {
      for (const manifest of store.sealed) {
        if (mayOverlap(manifest, window)) runs.push(readSealed(store.folder, manifest, keep, maxFrameBytes));
      }
      const live = store.live;
      if (live && mayOverlap(live.summary, window)) runs.push(readLive(live, keep, maxFrameBytes));
    }
    return mergeBySeq(runs);
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
        this.recordClosed();
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
      this.recordClosed();
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
    const {
      store: only,
      select,
      reason,
    } = purgeSelection(checkInput(opts, 'purge options', PURGE_FIELDS), (name) => this.stores.get(name));
    const now = this.options.clock();
    const targets = only === undefined ? [...this.stores.values()] : [this.stores.get(only)];
    const receipts: PurgeReceipt[] = [];
    const ranges: PurgedRange[] = [];
    try {
      for (const store of targets) {
        if (!store) continue;
        for (const record of purgeStore(store, select, reason, now)) {
          receipts.push(toPurgeReceipt(record));
          if (record.minSeq !== null && record.maxSeq !== null) {
            ranges.push({ store: record.store, minSeq: record.minSeq, maxSeq: record.maxSeq });
          }
        }
      }
    } finally {
      // A running store forgets what is gone from disk, also when a later purge step failed.
      if (ranges.length > 0) for (const listener of this.purgeListeners) listener(ranges);
    }
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
    const { store, since, limit } = checkPurgeReceiptsInput(
      checkInput(opts, 'purgeReceipts options', PURGE_RECEIPTS_FIELDS),
    );
    return [...this.stores.values()]
      .filter((s) => store === undefined || s.name === store)
      .flatMap((s) => s.purged)
      .filter((r) => since === undefined || r.purgedAt >= since)
      .sort((a, b) => a.purgedAt - b.purgedAt || a.segment - b.segment)
      .slice(0, limit)
      .map(toPurgeReceipt);
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
    const only = this.storeOption(opts);
    const stores: StorageStats['stores'] = {};
    let factCount = 0;
    let byteSize = 0;
    for (const s of this.listed()) {
      const entry = { factCount: s.factCount, byteSize: s.byteSize };
      factCount += entry.factCount;
      byteSize += entry.byteSize;
      if (only === undefined || only === s.name) setEntry(stores, s.name, entry);
    }
    return {
      backend: 'segmented',
      byteSize,
      factCount,
      recoveredTailBytes: this.recovery.recoveredTailBytes,
      recovered: this.recovery.recovered.map((cut) => ({ ...cut })),
      stores,
    };
  }

  /**
   * Every store's segments by number, sealed ones with their manifest figures and the live one
   * last (`sealed: false`); of one store when `store` is given. Keeps working after close.
   * Cost: O(segments).
   */
  segmentManifest(opts: { store?: string } = {}): SegmentManifest {
    const only = this.storeOption(opts);
    const stores: SegmentManifest['stores'] = {};
    for (const s of this.listed()) {
      if (only === undefined || only === s.name) setEntry(stores, s.name, s.infos());
    }
    return { stores };
  }

  /** What opening the directory recovered: torn tail bytes, quarantine files, removed leftovers. */
  recoveryReport(): SegmentedRecoveryReport {
    return {
      recoveredTailBytes: this.recovery.recoveredTailBytes,
      quarantined: [...this.recovery.quarantined],
      recovered: this.recovery.recovered.map((cut) => ({ ...cut })),
      removedFiles: [...this.recovery.removedFiles],
      lost: this.recovery.lost.map((l) => ({ ...l })),
    };
  }

  /**
   * After the live segments closed cleanly: the catalog lists their whole size as on disk, so
   * that a later open notices a live segment cut shorter. Best effort: the data is on disk
   * already, and a catalog that lists less only tells less.
   */
  private recordClosed(): void {
    for (const store of this.stores.values()) if (store.live) store.live.listedBytes = store.live.writer.size;
    try {
      this.snapshotter.record(this.stores);
    } catch (error) {
      process.emitWarning(
        `could not record the live segment sizes in the catalog at close (${error instanceof Error ? error.message : String(error)}); the facts are on disk`,
        { code: 'IGNITER_CATALOG_NOT_RECORDED' },
      );
    }
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

  /** Stores that have a segment, in name order. */
  private listed(): StoreSegments[] {
    return [...this.stores.values()]
      .filter((s) => s.sealed.length > 0 || s.live !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private storeOption(opts: { store?: string }): string | undefined {
    const store = checkInput<{ store?: unknown }>(opts, 'store filter', STORE_FILTER_FIELDS).store;
    if (store !== undefined && typeof store !== 'string') throw badArgument('store must be a string');
    return store;
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
    const segment = this.snapshotter.allocate();
    const path = segmentPath(store.folder, segment, 'log');
    const head = { store: store.name, segment, generation: store.generation };
    const { fd, size, checksum } = createSegmentFile(path, head, this.codec);
    const summary = {
      factCount: 0,
      byteSize: size,
      minSeq: null,
      maxSeq: null,
      minTime: null,
      maxTime: null,
      checksum,
    };
    store.live = new LiveSegment(
      path,
      segment,
      store.generation,
      this.codec,
      fd,
      summary,
      this.highWater,
      this.options,
      this.groupSync,
    );
    return store.live;
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
