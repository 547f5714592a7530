import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type Backend,
  type BackupWritten,
  checkInput,
  type EngineKind,
  type Fact,
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
  checkDataPath,
  DEFAULT_FACT_CODEC,
  DeferredFacts,
  type DurabilityStatus,
  type FactCodec,
  GroupCommitWriter,
  LOG_WINDOW_FIELDS,
  PreloadedLog,
  removeStaleTempFiles,
  STORE_FILTER_FIELDS,
  type WriterLock,
} from '@igniter/core/storage';
import { writeBackupLog } from './backup-log.js';
import { badArgument, closedError } from './errors.js';
import { DeferringSink } from './fact-sink.js';
import { DECODE_FALLBACK } from './native-open.js';
import { type FileBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { readSnapshotFile, type SnapshotContents, writeSnapshotFile } from './snapshot-file.js';
import { StoreTally } from './store-tally.js';
import { verifyLogFiles } from './verify-files.js';
import { createWal, cutStaleWal, type OpenedWal, openWal, rereadWal, rereadWalInto } from './wal-file.js';

/** What opening the log found and repaired. */
export interface RecoveryReport {
  /** Bytes removed from the end of the log: a torn tail, plus anything quarantined. */
  recoveredTailBytes: number;
  /** The quarantine file written by `repair: true`, if any. */
  quarantined: string | null;
  /** Temp files of interrupted rewrites that were removed. */
  removedTempFiles: string[];
}

/** Files this size or larger are decoded at open rather than deferred. */
const MAX_DEFERRED_FILE_BYTES = 2 ** 31;

/** The snapshot and the log as open found them. */
interface OpenedFiles {
  snapshot: SnapshotContents | undefined;
  wal: OpenedWal;
}

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
  private writer: GroupCommitWriter;
  /** Facts read at open (decoded, or indexed to decode), for the first unfiltered replay, then dropped. */
  private loaded: Fact[] | DeferredFacts | undefined;
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
    this.path = resolve(path);
    this.snapshotPath = `${this.path}.snapshot`;
    this.codec = DEFAULT_FACT_CODEC;
    checkDataPath(this.path, 'file');
    fs.mkdirSync(dirname(this.path), { recursive: true });
    this.lock = acquireWriterLock(this.path);
    try {
      const removedTempFiles = [
        ...removeStaleTempFiles(this.path),
        ...removeStaleTempFiles(this.snapshotPath),
      ];
      // The fastest reader that applies: a native replay for a native engine, else an index
      // of undecoded facts for the TS engine, else decoding every fact.
      let opened: OpenedFiles | undefined;
      let reader: PreloadedFacts | undefined;
      for (const make of [() => PreloadedLog.forEngine(this.options.engine), () => this.deferredFacts()]) {
        const candidate = make();
        opened = candidate && this.openFiles(candidate);
        if (opened) {
          reader = candidate;
          break;
        }
      }
      const { snapshot, wal } = opened ?? (this.openFiles(undefined) as OpenedFiles);
      this.preloaded = reader;
      this.snapshotSeq = snapshot?.lastSeq ?? null;
      this.snapshotBytes = snapshot?.size ?? 0;
      if (reader instanceof DeferredFacts) {
        this.loaded = reader;
        this.tally = StoreTally.fromCounts(reader.storeCounts());
      } else {
        this.loaded = reader ? undefined : snapshot ? snapshot.facts.concat(wal.facts) : wal.facts;
        this.tally = snapshot ? StoreTally.merge(snapshot.tally, wal.tally) : wal.tally;
      }
      this.highWater = Math.max(wal.maxSeq, snapshot?.lastSeq ?? 0);
      this.recovery = {
        recoveredTailBytes: wal.recoveredTailBytes,
        quarantined: wal.quarantined,
        removedTempFiles,
      };
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

  /**
   * A collector of undecoded facts for this backend's files, or undefined when they cannot be
   * deferred (a file of 2 GiB or more: offsets into its buffer must fit 31 bits).
   */
  private deferredFacts(): DeferredFacts | undefined {
    for (const file of [this.path, this.snapshotPath]) {
      const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (size >= MAX_DEFERRED_FILE_BYTES) return undefined;
    }
    return DeferredFacts.forCodec(this.codec);
  }

  /**
   * Reads the snapshot and opens the log, recovering it: into `reader` when given (a native
   * log, or undecoded facts), else decoding every fact in JS. Undefined when `reader` declines
   * a file: the caller then opens another way, and what `reader` holds is dropped.
   */
  private openFiles(reader: PreloadedFacts | undefined): OpenedFiles | undefined {
    const { maxFrameBytes, repair } = this.options;
    const via = (path: string) =>
      reader instanceof DeferredFacts ? new DeferringSink(reader, path) : reader;
    const snapshot = readSnapshotFile(this.snapshotPath, maxFrameBytes, via(this.snapshotPath));
    if (snapshot === DECODE_FALLBACK) return undefined;
    let wal = openWal(this.path, {
      snapshotSeq: snapshot?.lastSeq ?? null,
      repair,
      maxFrameBytes,
      codec: this.codec,
      preloaded: via(this.path),
    });
    if (wal === DECODE_FALLBACK) return undefined;
    // A fast reader declined a log behind its snapshot (openWal): only a decoding open gets here.
    if (snapshot && wal.baseSeq < snapshot.lastSeq) wal = cutStaleWal(this.path, wal, snapshot.lastSeq);
    return { snapshot, wal };
  }

  /** Forgets what open read (decoded facts, the preloaded log): a change made them stale. */
  private dropOpenState(): void {
    this.loaded = undefined;
    this.preloaded = undefined;
  }

  /**
   * What open read for an engine to adopt, once (see `Backend.takePreloaded`): a native log
   * replayed in Rust for the native engine, or the undecoded facts (`DeferredFacts`) for the
   * TS engine; the engine adopts it instead of loading `replay()`. When `engine` says the store
   * runs the TS engine but open prepared a native log (the backend was built without `engine`),
   * the files are indexed for the TS engine now instead. Undefined after the first call, after
   * any write, and when open had to decode every fact.
   */
  takePreloaded(engine?: EngineKind): PreloadedFacts | undefined {
    const preloaded = this.preloaded;
    this.preloaded = undefined;
    if (engine === 'ts' && preloaded instanceof PreloadedLog) {
      const deferred = this.rereadDeferred();
      if (deferred) this.loaded = deferred;
      return deferred;
    }
    return preloaded;
  }

  /** The files read again into undecoded facts; undefined when they cannot be deferred. */
  private rereadDeferred(): DeferredFacts | undefined {
    const deferred = this.deferredFacts();
    if (!deferred) return undefined;
    const { maxFrameBytes } = this.options;
    if (this.snapshotSeq !== null) {
      const snapshot = readSnapshotFile(
        this.snapshotPath,
        maxFrameBytes,
        new DeferringSink(deferred, this.snapshotPath),
      );
      if (snapshot === DECODE_FALLBACK) return undefined;
    }
    const sink = new DeferringSink(deferred, this.path);
    return rereadWalInto(this.path, this.snapshotSeq ?? 0, maxFrameBytes, sink) ? deferred : undefined;
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
    const loaded = this.loaded;
    let facts = loaded instanceof DeferredFacts ? loaded.facts() : loaded;
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
    const frame = appendFrame(this.codec, fact, this.highWater, this.options.maxFrameBytes);
    this.writer.append(frame, fact.seq);
    this.dropOpenState();
    this.highWater = fact.seq;
    this.tally.add(fact.store, frame.length);
  }

  /** Resolves when every fact written so far is on disk. Rejects with `ERR_CLOSED` after close. */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.writer.flush();
  }

  /**
   * Flushes, closes the files and releases the lock; a second call resolves too. Rejects with
   * the system error of a failed flush (the lock is released all the same). Does not checkpoint.
   */
  close(): Promise<void> {
    this.dropOpenState();
    this.closing ??= (this.broken ? Promise.resolve() : this.writer.close()).finally(() =>
      this.lock.release(),
    );
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
      stores: this.tally.snapshot(store),
    };
  }

  /** Where writes stand: buffered bytes, last seq written, last seq known durable, fsync count. */
  durabilityStatus(): DurabilityStatus {
    return this.writer.status();
  }

  /** What opening the log recovered: torn tail bytes, a quarantine file, removed temp files. */
  recoveryReport(): RecoveryReport {
    return { ...this.recovery, removedTempFiles: [...this.recovery.removedTempFiles] };
  }

  private rewrite(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.assertOpen();
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
