import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type Backend,
  type BackupWritten,
  checkInput,
  type Fact,
  PartialWriteError,
  type PreloadedFacts,
  type SnapshotMeta,
  type StorageStats,
  type StoredEntry,
  type Time,
  toMs,
} from '@igniter/core';
import {
  acquireWriterLock,
  appendFrame,
  appendFrames,
  batchBytes,
  canonicalPath,
  checkDataPath,
  DEFAULT_FACT_CODEC,
  type DurabilityStatus,
  type Engine,
  type FactCodec,
  type FactReader,
  fsyncDirectory,
  GroupCommitWriter,
  LOG_WINDOW_FIELDS,
  type NativeWalWriter,
  STORE_FILTER_FIELDS,
  type WriterLock,
} from '@igniter/core/storage';
import { runBackgroundCheckpoint } from './background-checkpoint.js';
import { writeBackupLog } from './backup-log.js';
import { replaceWalWithTail } from './checkpoint-copy.js';
import { CheckpointImages } from './checkpoint-image.js';
import { badArgument, closedError } from './errors.js';
import { nativeWriterFor, reopenNativeWriter } from './native-writer.js';
import { openLogFiles, type RecoveryReport } from './open-log-files.js';
import { type FileBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { StoreTally } from './store-tally.js';
import { verifyLogFiles } from './verify-files.js';
import { createWal, rereadWal } from './wal-file.js';

// This file stays over 400 lines for a reason: `FileBackend` is the class the Backend contract
// and API.md document, one doc comment per method, and it owns the state every write reads
// (writer, native writer, highWater, tally), which the file replacements (rewrite, the last
// step of a checkpoint) swap; moving that state behind another object would add a load per
// write. What does not touch it lives beside it: open-log-files.ts (open and recovery),
// background-checkpoint.ts (the frame copy), checkpoint-image.ts, wal-file.ts, snapshot-file.ts.

/**
 * A crash-safe fact log in one file (ARCHITECTURE.md D8): a write-ahead log `<path>` of CRC-32 framed
 * facts, a snapshot `<path>.snapshot` written by checkpoints and prunes, and a single-writer lock
 * `<path>.lock`. Construction opens and recovers the files synchronously and holds the lock
 * until `close()` (or process death).
 *
 * @example
 * const backend = new FileBackend('./data/app.log', { durability: 'group' });
 * const store = new IgniterStore({ backend });
 */
export class FileBackend implements Backend {
  /** The log file. */
  readonly path: string;
  /** The snapshot file next to it. */
  readonly snapshotPath: string;
  private readonly options: ResolvedOptions;
  private readonly codec: FactCodec;
  private readonly lock: WriterLock;
  private writer: GroupCommitWriter | NativeWalWriter;
  /** The writer when it is the native one a native engine frames into (see `linkEngine`). */
  private native: NativeWalWriter | undefined;
  /** The reader open used, for the first unfiltered replay (when it can give the facts), then dropped. */
  private loaded: FactReader | undefined;
  /** The log open read for an engine to adopt, until one takes it or a write makes it stale. */
  private preloaded: PreloadedFacts | undefined;
  private highWater: number;
  /** Seq of the snapshot on disk, null when there is none. */
  private snapshotSeq: number | null;
  private snapshotBytes: number;
  private tally: StoreTally;
  private readonly recovery: RecoveryReport;
  private closing: Promise<void> | undefined;
  /** Set when a rewrite left no usable log open; every later write throws it. */
  private broken: Error | undefined;
  /** Counts replacements of the files (and a blocking close): a checkpoint copying older files gives up. */
  private generation = 0;
  private closedSync = false;
  /** The checkpoint running, if any (`close` waits for it). */
  private checkpointing: Promise<void> | undefined;
  /**
   * The checkpoint image and its builds: an accelerator, not durable state, so a checkpoint does
   * not wait for its image; `close` does.
   */
  private readonly images: CheckpointImages;
  /** True when open read the files for the native engine (only it reads images). */
  private readonly loadsNative: boolean;

  /**
   * Opens (or creates) the log at `path`, creating its directory if needed; a missing or empty
   * file is a new log. Throws `ERR_INVALID_ARGUMENT` for bad options or a path that cannot be a
   * log file (a directory, or under a file; nothing is created), `ERR_LOCKED` when the log
   * is open in this or another process, `ERR_UNSUPPORTED_FORMAT` for a file that is not an
   * Igniter log, `ERR_CORRUPT_LOG` for damage other than a torn tail (unless `repair`), and the
   * system error of a failed file operation; the lock is released when it throws.
   * Cost: reads and decodes the snapshot and the log once.
   */
  constructor(path: string, options: FileBackendOptions = {}) {
    if (typeof path !== 'string' || path.length === 0) throw badArgument('path must be a non-empty string');
    this.options = resolveOptions(options);
    checkDataPath(resolve(path), 'file');
    fs.mkdirSync(dirname(resolve(path)), { recursive: true });
    // Symlinks resolved: the files are read and replaced where they are, not over a link.
    this.path = canonicalPath(path);
    this.snapshotPath = `${this.path}.snapshot`;
    this.codec = DEFAULT_FACT_CODEC;
    this.images = new CheckpointImages(this.path);
    this.lock = acquireWriterLock(this.path);
    try {
      const paths = { path: this.path, snapshotPath: this.snapshotPath, imagePath: this.images.path };
      const { snapshot, wal, reader, recovery } = openLogFiles(paths, this.options, this.codec);
      // Open may have created or replaced the log: the lock holds the file now there.
      this.lock.cover();
      this.preloaded = reader.preloaded;
      this.loaded = reader;
      this.loadsNative = reader.engine === 'native';
      this.snapshotSeq = snapshot?.lastSeq ?? null;
      this.snapshotBytes = snapshot?.size ?? 0;
      this.tally = snapshot ? StoreTally.merge(snapshot.tally, wal.tally) : wal.tally;
      this.highWater = Math.max(wal.maxSeq, snapshot?.lastSeq ?? 0);
      this.recovery = recovery;
      const { durability, groupCommitMs, groupCommitBytes } = this.options;
      this.writer = new GroupCommitWriter(
        wal.fd,
        wal.end,
        this.highWater,
        durability,
        groupCommitMs,
        groupCommitBytes,
      );
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  /** Forgets what open read (decoded facts, the preloaded log): a change made them stale. */
  private dropOpenState(): void {
    this.loaded = undefined;
    this.preloaded = undefined;
  }

  /**
   * What open read for an engine to adopt, once (see `Backend.takePreloaded`): a native log
   * replayed in Rust when the backend was opened for the native engine, or the undecoded facts
   * (`LazyFacts`) for the TS engine; the engine adopts it instead of loading `replay()`.
   * The reader is picked once at open from the backend's `engine` option: an engine of the
   * other kind declines it and loads `replay()`. Undefined after the first call, after any
   * write, and when open decoded every fact.
   */
  takePreloaded(): PreloadedFacts | undefined {
    const preloaded = this.preloaded;
    this.preloaded = undefined;
    return preloaded;
  }

  /**
   * Every stored fact in seq order (frozen, values deep-frozen), optionally within inclusive
   * transaction-time bounds. Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` for a bad bound, and
   * `ERR_CORRUPT_LOG` if the files were damaged since open. Cost: the first unfiltered call
   * returns what open read; later calls read the files again.
   */
  replay(opts: { since?: Time; asOf?: Time } = {}): Iterable<Fact> {
    this.assertOpen();
    checkInput(opts, 'replay options', LOG_WINDOW_FIELDS);
    const since = toMs(opts.since, 'since');
    const asOf = toMs(opts.asOf, 'asOf');
    let facts = this.loaded?.facts();
    this.dropOpenState();
    if (facts === undefined) {
      this.writer.flushToOs();
      const snapshot =
        this.snapshotSeq === null
          ? undefined
          : readSnapshotFile(this.snapshotPath, this.options.maxFrameBytes);
      const delta = rereadWal(this.path, this.snapshotSeq ?? 0, this.options.maxFrameBytes);
      facts = snapshot ? snapshot.facts.concat(delta) : delta;
    }
    if (since === undefined && asOf === undefined) return facts;
    return facts.filter(
      (f) =>
        (since === undefined || f.transactionTime >= since) &&
        (asOf === undefined || f.transactionTime <= asOf),
    );
  }

  /**
   * Appends a fact to the log, durable per the durability mode before (`'fsync'`) or within
   * the group-commit window after (`'group'`) it returns. A call that throws has written
   * nothing. Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` for a malformed fact or a seq not above
   * every seq written, `ERR_VALUE_TOO_LARGE` for a frame over `maxFrameBytes`, and the system
   * error of a failed write or fsync (after which the backend refuses writes).
   * Cost: one encode; then one write + fdatasync (`'fsync'`), one write (`'none'`) or a copy.
   */
  writeFact(fact: Fact): void {
    this.assertOpen();
    // A native engine framed the fact into the native writer when it appended it.
    const framed = this.native ? this.native.takeFramed(fact) : -1;
    if (framed >= 0) {
      this.dropOpenState();
      this.highWater = fact.seq;
      this.tally.add(fact.store, framed);
      return;
    }
    const frame = appendFrame(this.codec, fact, this.highWater, this.options.maxFrameBytes);
    this.writer.append(frame, fact.seq);
    this.dropOpenState();
    this.highWater = fact.seq;
    this.tally.add(fact.store, frame.length);
  }

  /**
   * Appends a `writeMany` batch as one unit (see `Backend.writeFacts`): the native engine framed
   * all of it or none; otherwise every frame is encoded and checked before the writer takes them
   * in one append, so a refused fact or a failed write leaves none written. Throws as
   * {@link writeFact}. Cost: one encode per fact (none when framed natively) and one append.
   */
  writeFacts(facts: readonly Fact[]): void {
    this.assertOpen();
    const last = facts.at(-1);
    if (!last) return;
    // The native engine frames a batch whole or not at all (see `Engine.attachWal`).
    let framed = 0;
    for (; this.native && framed < facts.length; framed++) {
      const fact = facts[framed] as Fact;
      const bytes = this.native.takeFramed(fact);
      if (bytes < 0) break;
      this.highWater = fact.seq;
      this.tally.add(fact.store, bytes);
    }
    if (framed > 0) this.dropOpenState();
    if (framed === facts.length) return;
    const rest = framed === 0 ? facts : facts.slice(framed);
    try {
      const frames = appendFrames(this.codec, rest, this.highWater, this.options.maxFrameBytes);
      // Two or more frames go behind a batch marker: a crash keeps all of them or none.
      this.writer.append(batchBytes(frames), last.seq);
      this.dropOpenState();
      this.highWater = last.seq;
      rest.forEach((fact, i) => {
        this.tally.add(fact.store, (frames[i] as Buffer).length);
      });
    } catch (error) {
      throw framed === 0 ? error : new PartialWriteError(error, framed);
    }
  }

  /**
   * Takes the native write path for a native engine (see `Backend.linkEngine` and
   * {@link nativeWriterFor}): the engine frames each fact into the log's new writer in the call
   * that appends it, so `writeFact` does no encoding. Throws the system error of opening the
   * log for the new writer (the old one stays).
   */
  linkEngine(engine: Engine): void {
    this.assertOpen();
    if (this.native) return;
    const native = nativeWriterFor(engine, this.path, this.writer, this.highWater, this.options);
    if (!native) return;
    this.writer.discard();
    this.writer = native;
    this.native = native;
  }

  /** Resolves when every fact written so far is on disk. Rejects with `ERR_CLOSED` after close. */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.writer.flush();
    await this.images.discarded();
  }

  /**
   * Flushes, closes the files and releases the lock; a second call resolves too. Rejects with
   * the system error of a failed flush (the lock is released all the same). Does not checkpoint.
   */
  close(): Promise<void> {
    this.dropOpenState();
    // A running checkpoint finishes first (it needs the lock until its files are in place).
    this.closing ??= (this.checkpointing ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.images.settled())
      .then(() => (this.broken ? undefined : this.writer.close()))
      .finally(() => this.lock.release());
    return this.closing;
  }

  /**
   * {@link close}, blocking: for exit handlers and synchronous error paths. Throws the system
   * error of a failed flush (the lock is released all the same).
   */
  closeSync(): void {
    this.dropOpenState();
    if (this.closing) return;
    this.closing = Promise.resolve();
    this.closedSync = true;
    this.generation += 1;
    try {
      if (!this.broken) this.writer.closeSync();
    } finally {
      this.lock.release();
    }
  }

  /** The highest seq ever written, also of facts since pruned (it survives reopen). */
  highWaterSeq(): number {
    return this.highWater;
  }

  /**
   * Checkpoint: writes `facts` (every live fact, seq order) as the snapshot, then starts an empty
   * log, so a reopen replays the snapshot and only what follows. The snapshot is the whole state
   * up to `meta.lastSeq`. Crash-safe: a crash at any point leaves the old or the new state.
   * Throws `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` (facts out of order, above `lastSeq`, or
   * `lastSeq` below a seq already written; nothing changes) and system errors.
   * Cost: one write of every fact, four fsyncs.
   */
  writeSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.rewrite(facts, meta);
  }

  /**
   * Checkpoint without pausing the event loop: copies the frames stored up to now (the old
   * snapshot's, then the log's), byte for byte and CRC-checked, into a new snapshot declaring
   * `lastSeq` (at least the highest seq written), on the libuv pool; then, in one step, puts it in
   * place and starts a new log holding only the frames written meanwhile. Writes go on during the
   * copy. Crash-safe: until the new snapshot is durable and renamed, the old files are the truth;
   * after, a reopen cuts the old log's facts the snapshot holds. A compaction or prune meanwhile
   * (which writes its own snapshot) makes it give up, resolving. Rejects with `ERR_CLOSED`,
   * `ERR_INVALID_ARGUMENT` for a bad `lastSeq`, `ERR_CORRUPT_LOG` naming a damaged frame (nothing
   * changes) and system errors. A second call waits for the first, then checkpoints again.
   * Cost: one read and write of every stored frame, four fsyncs; a blocking copy of the frames
   * written during the copy.
   */
  checkpoint(meta: SnapshotMeta): Promise<void> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = this.checkpointing?.catch(() => undefined);
    const running = (previous ?? Promise.resolve()).then(() => this.runCheckpoint(meta));
    const tracked = running.finally(() => {
      if (this.checkpointing === tracked) this.checkpointing = undefined;
    });
    this.checkpointing = tracked;
    return tracked;
  }

  /**
   * Replaces everything stored with `facts` (compaction and prune): once it returns, dropped
   * facts are in no file of the log. Same contract and cost as {@link writeSnapshot}.
   */
  replaceWithSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.rewrite(facts, meta);
  }

  /**
   * Writes `facts` (every live fact, seq order) as a new file-backend log at `destPath` that
   * continues above `meta.lastSeq` (see {@link writeBackupLog}); open it with `openFileStore`.
   * This backend's files are not read. Rejects with `ERR_CLOSED`, `ERR_INVALID_ARGUMENT` for this
   * log or one of its side files, or a destination that exists and is not empty, and what
   * `writeBackupLog` rejects with.
   * Cost: one encode and write of every fact, yielding to the event loop between chunks.
   */
  async backup(destPath: string, facts: readonly Fact[], meta: SnapshotMeta): Promise<BackupWritten> {
    this.assertOpen();
    const dest = typeof destPath === 'string' ? resolve(destPath) : destPath;
    if (dest === this.path || (typeof dest === 'string' && dest.startsWith(`${this.path}.`))) {
      throw badArgument(`backup destination ${dest} is this store's log or one of its side files`);
    }
    return writeBackupLog(destPath, facts, meta, { maxFrameBytes: this.options.maxFrameBytes });
  }

  /**
   * A read-only verification pass over the log and snapshot files as they are on disk now (see
   * {@link verifyLogFiles}): facts with their file and offset, and every problem of the files.
   * Buffered writes are not read: flush first. Throws `ERR_CLOSED` and the system error of a
   * failed open. Cost: one read and decode of both files.
   */
  verifyFiles(): AsyncIterable<StoredEntry> {
    this.assertOpen();
    return verifyLogFiles(this.path, this.options.maxFrameBytes);
  }

  /**
   * Sizes and counts: `byteSize` of the log and snapshot files (buffered writes included),
   * live `factCount`, bytes recovered from a torn tail at open, and per-store figures (of one
   * store when `store` is given; the totals stay whole). Keeps working after close.
   */
  storageStats(opts: { store?: string } = {}): StorageStats {
    const store = checkInput<{ store?: unknown }>(opts, 'storageStats options', STORE_FILTER_FIELDS).store;
    if (store !== undefined && typeof store !== 'string') throw badArgument('store must be a string');
    return {
      backend: 'file',
      byteSize: this.snapshotBytes + this.writer.size,
      factCount: this.tally.factCount,
      recoveredTailBytes: this.recovery.recoveredTailBytes,
      recovered: this.recovery.recovered.map((cut) => ({ ...cut })),
      stores: this.tally.snapshot(store),
    };
  }

  /** Where writes stand: buffered bytes, last seq written, last seq known durable, fsync count. */
  durabilityStatus(): DurabilityStatus {
    return this.writer.status();
  }

  /**
   * Resolves once the image of the last checkpoint (native engine) is in place or was given up
   * (see `recoveryReport().checkpointImage` of a later open); never rejects. A checkpoint does
   * not wait for it (the image is an accelerator, never the durable state); `close()` does.
   */
  async imageSettled(): Promise<void> {
    await this.checkpointing?.catch(() => undefined);
    await this.images.settled();
  }

  /** What opening the log recovered: torn tail bytes, a quarantine file, removed temp files. */
  recoveryReport(): RecoveryReport {
    return {
      ...this.recovery,
      recovered: this.recovery.recovered.map((cut) => ({ ...cut })),
      removedTempFiles: [...this.recovery.removedTempFiles],
    };
  }

  private async runCheckpoint(meta: SnapshotMeta): Promise<void> {
    // Not assertOpen: close() waits for the checkpoints called before it.
    if (this.closedSync) throw closedError(this.path);
    if (this.broken) throw this.broken;
    if (!Number.isSafeInteger(meta?.lastSeq) || meta.lastSeq < 0) {
      throw badArgument('lastSeq must be an integer >= 0');
    }
    this.writer.flushToOs();
    const lastSeq = Math.max(meta.lastSeq, this.highWater);
    const walEnd = this.writer.size;
    await runBackgroundCheckpoint({
      path: this.path,
      snapshotPath: this.snapshotPath,
      codec: this.codec,
      maxFrameBytes: this.options.maxFrameBytes,
      images: this.images,
      loadsNative: this.loadsNative,
      lastSeq,
      walEnd,
      snapshotSeq: this.snapshotSeq,
      factCount: this.tally.factCount,
      generation: () => this.generation,
      broken: () => this.broken !== undefined,
      closedSync: () => this.closedSync,
      place: (copied) => this.putCheckpointInPlace(copied, walEnd, lastSeq),
    });
  }

  /**
   * The last, synchronous step of a checkpoint (no write or rewrite comes between): puts the
   * snapshot the copy made in place, then replaces the log with the frames written since `walEnd`.
   */
  private putCheckpointInPlace(
    copied: { tempPath: string; size: number },
    walEnd: number,
    lastSeq: number,
  ): void {
    try {
      fs.renameSync(copied.tempPath, this.snapshotPath);
    } catch (error) {
      fs.rmSync(copied.tempPath, { force: true });
      throw error;
    }
    fsyncDirectory(dirname(this.snapshotPath));
    // The snapshot is durable: a reopen now cuts the old log's facts up to lastSeq.
    this.generation += 1;
    this.snapshotSeq = lastSeq;
    this.snapshotBytes = copied.size;
    this.dropOpenState();
    this.writer.flushToOs();
    const writtenSeq = Math.max(lastSeq, this.writer.status().lastSeq);
    replaceWalWithTail(this.path, walEnd, this.writer.size, lastSeq, this.codec);
    this.adoptNewWal(writtenSeq);
  }

  private rewrite(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.assertOpen();
    this.generation += 1;
    // The image holds the facts a prune drops: it goes first, and flush() waits for a build
    // still running to be discarded, so that no file holds a dropped fact once it resolves.
    this.images.removeForRewrite();
    if (!Array.isArray(facts)) throw badArgument('facts must be an array');
    const lastSeq = meta?.lastSeq;
    if (!Number.isSafeInteger(lastSeq) || lastSeq < this.highWater) {
      throw badArgument(`lastSeq must be an integer at least the highest seq written (${this.highWater})`);
    }
    const { tally, size } = writeSnapshotFile(
      this.snapshotPath,
      facts,
      lastSeq,
      this.codec,
      this.options.maxFrameBytes,
    );
    // The snapshot is durable: from here a reopen ignores the old log's facts (all <= lastSeq).
    this.snapshotSeq = lastSeq;
    this.snapshotBytes = size;
    this.highWater = lastSeq;
    this.tally = tally;
    this.dropOpenState();
    createWal(this.path, lastSeq, this.codec);
    this.adoptNewWal(lastSeq);
  }

  /** Writes go to the log a rewrite just put at `path`, holding seqs up to `lastSeq`, all durable. */
  private adoptNewWal(lastSeq: number): void {
    this.lock.cover();
    if (this.native) {
      this.broken = reopenNativeWriter(this.native, this.path, lastSeq);
      if (this.broken) throw this.broken;
      return;
    }
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r+');
    } catch (error) {
      // The files on disk are consistent, but the old descriptor points at the replaced log.
      this.writer.discard();
      this.broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
    this.writer.discard();
    const { durability, groupCommitMs, groupCommitBytes } = this.options;
    this.writer = new GroupCommitWriter(
      fd,
      fs.fstatSync(fd).size,
      lastSeq,
      durability,
      groupCommitMs,
      groupCommitBytes,
    );
  }

  private assertOpen(): void {
    if (this.closing) throw closedError(this.path);
    if (this.broken) throw this.broken;
  }
}
