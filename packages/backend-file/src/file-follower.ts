import * as fs from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  type Backend,
  type BackupWritten,
  checkInput,
  type Fact,
  IgniterError,
  IgniterStore,
  type SnapshotMeta,
  type StorageStats,
  type StoredEntry,
  type StoreLink,
  type StoreRole,
  type Time,
  toMs,
} from '@igniter/core';
import { writeBackupLog } from './backup-log.js';
import { badArgument, closedError } from './errors.js';
import { FileBackend } from './file-backend.js';
import { FILE_STORE_FIELDS, type FileStoreOptions, splitStoreOptions } from './open-file-store.js';
import { FILE_BACKEND_OPTION_KEYS, type FileBackendOptions, resolveOptions } from './options.js';
import { readSnapshotFile } from './snapshot-file.js';
import { StoreTally } from './store-tally.js';
import { verifyLogFiles } from './verify-files.js';
import { WalTail } from './wal-tail.js';

/** Options of a {@link FileFollower}: the writer's backend options (used once promoted) and how often to look. */
export interface FileFollowerOptions extends FileBackendOptions {
  /** A safety net besides file-change notifications: look at the files this often (default 250 ms). */
  pollMs?: number;
}

/** Every option of {@link followFileStore}: those of `openFileStore`, and `pollMs`. */
const FOLLOW_FIELDS: ReadonlySet<string> = new Set([...FILE_STORE_FIELDS, 'pollMs']);

/** Identity of the snapshot file as it is now: changes whenever the writer replaces it. */
function snapshotStamp(path: string): string {
  const stat = fs.statSync(path, { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'none';
}

/**
 * A read-only follower of a file store that another process on the same machine writes: it
 * reads the snapshot and the write-ahead log without taking the writer lock, then follows
 * them (file-change notifications plus a poll every `pollMs`), applying each whole new frame
 * in seq order. When the writer replaces the files (a checkpoint, compaction or prune writes a
 * new snapshot, then starts a new log), it re-reads the snapshot: facts the writer dropped
 * disappear here too. Writes throw `ERR_READ_ONLY` until `promote()`, which opens the log as
 * its writer (`ERR_LOCKED` while the writer lives) and hands every call to that `FileBackend`.
 */
export class FileFollower implements Backend {
  /** The log file. */
  readonly path: string;
  readonly #snapshotPath: string;
  readonly #options: FileBackendOptions;
  readonly #maxFrameBytes: number;
  readonly #wal: WalTail;
  #facts: Fact[] = [];
  #highWater = 0;
  #snapshotSeq = 0;
  #snapshotStamp = '';
  #snapshotTally = new StoreTally();
  #link: StoreLink | undefined;
  #watcher: fs.FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #wake: NodeJS.Immediate | undefined;
  #writer: FileBackend | undefined;
  #closing: Promise<void> | undefined;
  #failed: IgniterError | undefined;

  /**
   * Reads the files of the log at `path` (which must exist) and starts following them. Throws
   * `ERR_INVALID_ARGUMENT` for bad options or a missing log, and what reading the files throws
   * (`ERR_UNSUPPORTED_FORMAT`, `ERR_CORRUPT_LOG`). Cost: one read of the snapshot and the log.
   */
  constructor(path: string, options: FileFollowerOptions = {}) {
    if (typeof path !== 'string' || path.length === 0) throw badArgument('path must be a non-empty string');
    const { pollMs = 250, ...backendOptions } = options;
    if (!Number.isFinite(pollMs) || pollMs < 1) throw badArgument('pollMs must be a number >= 1');
    this.#maxFrameBytes = resolveOptions(backendOptions).maxFrameBytes;
    this.#options = backendOptions;
    this.path = resolve(path);
    this.#snapshotPath = `${this.path}.snapshot`;
    if (!fs.existsSync(this.path)) throw badArgument(`there is no log at ${this.path} to follow`);
    this.#wal = new WalTail(this.path, this.#maxFrameBytes);
    this.#catchUp();
    const log = basename(this.path);
    this.#watcher = fs.watch(dirname(this.path), (_event, name) => {
      if (name === null || String(name).startsWith(log)) this.#schedule();
    });
    this.#watcher.on('error', () => undefined);
    this.#poll = setInterval(() => this.#schedule(), pollMs);
    this.#poll.unref();
  }

  role(): StoreRole {
    return this.#writer ? 'writer' : 'follower';
  }

  link(link: StoreLink): void {
    this.#link = link;
  }

  replay(opts: { since?: Time; asOf?: Time } = {}): Iterable<Fact> {
    if (this.#writer) return this.#writer.replay(opts);
    this.#assertOpen();
    const since = toMs(opts.since, 'since');
    const asOf = toMs(opts.asOf, 'asOf');
    return this.#facts.filter(
      (f) =>
        (since === undefined || f.transactionTime >= since) &&
        (asOf === undefined || f.transactionTime <= asOf),
    );
  }

  highWaterSeq(): number {
    return this.#writer ? this.#writer.highWaterSeq() : this.#highWater;
  }

  writeFact(fact: Fact): void {
    this.#writable().writeFact(fact);
  }

  writeSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.#writable().writeSnapshot(facts, meta);
  }

  replaceWithSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    this.#writable().replaceWithSnapshot(facts, meta);
  }

  async flush(): Promise<void> {
    if (this.#writer) return this.#writer.flush();
    this.#assertOpen();
  }

  /** Stops following (and closes the writer it became, if promoted). Resolves twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopFollowing();
      await this.#writer?.close();
    })();
    return this.#closing;
  }

  storageStats(opts: { store?: string } = {}): StorageStats {
    if (this.#writer) return this.#writer.storageStats(opts);
    const size = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    return {
      backend: 'file',
      byteSize: size(this.path) + size(this.#snapshotPath),
      factCount: this.#facts.length,
      recoveredTailBytes: 0,
      recovered: [],
      stores: StoreTally.merge(this.#snapshotTally, this.#wal.tally).snapshot(opts.store),
    };
  }

  verifyFiles(): AsyncIterable<StoredEntry> {
    if (this.#writer) return this.#writer.verifyFiles();
    this.#assertOpen();
    return verifyLogFiles(this.path, this.#maxFrameBytes);
  }

  backup(destPath: string, facts: readonly Fact[], meta: SnapshotMeta): Promise<BackupWritten> {
    if (this.#writer) return this.#writer.backup(destPath, facts, meta);
    this.#assertOpen();
    return writeBackupLog(destPath, facts, meta, { maxFrameBytes: this.#maxFrameBytes });
  }

  /**
   * Becomes the writer: applies what the files hold now, then opens them as a `FileBackend`
   * (taking the writer lock, recovering a torn tail the dead writer left) and applies anything
   * that reveals. Rejects with `ERR_LOCKED` while the writer lives (this stays a follower).
   */
  async promote(): Promise<void> {
    this.#assertOpen();
    if (this.#writer) return;
    this.#catchUp();
    const writer = new FileBackend(this.path, this.#options);
    this.#stopFollowing();
    const all = [...writer.replay()];
    const live = new Set(all.map((f) => f.seq));
    this.#drop(this.#facts.filter((f) => !live.has(f.seq)));
    const fresh = all.filter((f) => f.seq > this.#highWater);
    this.#highWater = Math.max(this.#highWater, writer.highWaterSeq());
    this.#facts = all;
    this.#writer = writer;
    this.#link?.applyFacts(fresh, this.#highWater);
  }

  // ---------------------------------------------------------------- private

  #assertOpen(): void {
    if (this.#failed) throw this.#failed;
    if (this.#closing) throw closedError(this.path);
  }

  #writable(): FileBackend {
    if (this.#writer) return this.#writer;
    this.#assertOpen();
    throw new IgniterError('ERR_READ_ONLY', `${this.path} is followed read-only; promote() it first`);
  }

  #schedule(): void {
    if (this.#wake || this.#writer || this.#closing || this.#failed) return;
    this.#wake = setImmediate(() => {
      this.#wake = undefined;
      if (this.#writer || this.#closing || this.#failed) return;
      try {
        this.#catchUp();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  /**
   * Applies what the writer added since the last look. The log is read first: a log that
   * continues a newer snapshot than the one applied means the writer replaced the files, and
   * that snapshot (already on disk: it is written before the new log) is applied before the
   * log's facts, so a fact never arrives before an earlier one.
   */
  #catchUp(): void {
    const stamp = snapshotStamp(this.#snapshotPath);
    const tail = this.#wal.read();
    const before = this.#highWater;
    const fresh: Fact[] = [];
    let through = before;
    if (stamp !== this.#snapshotStamp || tail.baseSeq > this.#snapshotSeq) {
      this.#snapshotStamp = stamp;
      const snapshot = readSnapshotFile(this.#snapshotPath, this.#maxFrameBytes);
      if (snapshot) {
        const live = new Set(snapshot.facts.map((f) => f.seq));
        this.#drop(this.#facts.filter((f) => f.seq <= snapshot.lastSeq && !live.has(f.seq)));
        for (const fact of snapshot.facts) if (fact.seq > before) fresh.push(fact);
        this.#snapshotSeq = snapshot.lastSeq;
        this.#snapshotTally = snapshot.tally;
        through = Math.max(through, snapshot.lastSeq);
      }
    }
    // Facts of the old log up to the snapshot's seq are in the snapshot already.
    for (const fact of tail.facts) {
      if (fact.seq <= through) continue;
      fresh.push(fact);
      through = fact.seq;
    }
    if (through === before) return;
    this.#facts.push(...fresh);
    this.#highWater = through;
    this.#link?.applyFacts(fresh, through);
  }

  #drop(dropped: readonly Fact[]): void {
    if (dropped.length === 0) return;
    const gone = new Set(dropped.map((f) => f.seq));
    this.#facts = this.#facts.filter((f) => !gone.has(f.seq));
    this.#link?.removeFacts(dropped.map((f) => f.id));
  }

  #stopFollowing(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    if (this.#wake !== undefined) clearImmediate(this.#wake);
    this.#wake = undefined;
  }

  #fail(cause: unknown): void {
    this.#failed =
      cause instanceof IgniterError
        ? cause
        : new IgniterError('ERR_CLOSED', `following ${this.path} failed: ${String(cause)}`, { cause });
    this.#stopFollowing();
    this.#link?.closed(this.#failed);
  }
}

/**
 * Opens a read-only follower of the file store at `path`, which a writer in another process on
 * the same machine keeps (see {@link FileFollower}). `options` are store options plus the
 * backend options the follower uses once promoted, and `pollMs`. Throws what `new FileFollower`
 * and `new IgniterStore` throw. Cost: one read of the snapshot and the log.
 *
 * @example
 * const follower = followFileStore('./data/app.log');
 * await follower.waitForSeq(42, { timeoutMs: 1000 });
 */
export function followFileStore(
  path: string,
  options: FileStoreOptions & { pollMs?: number } = {},
): IgniterStore {
  checkInput(options, 'followFileStore options', FOLLOW_FIELDS);
  const { store: storeOptions, backend: backendOptions } = splitStoreOptions(options, [
    ...FILE_BACKEND_OPTION_KEYS,
    'pollMs',
  ]);
  const backend = new FileFollower(path, backendOptions as FileFollowerOptions);
  try {
    return new IgniterStore({ ...storeOptions, backend });
  } catch (error) {
    void backend.close();
    throw error;
  }
}
