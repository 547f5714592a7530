import * as fs from 'node:fs';
import { IgniterError } from '../errors.js';
import { writeAllSync } from './io.js';

/**
 * When an appended frame is on disk: `'fsync'` before `append` returns, `'group'` within the
 * group-commit window, `'none'` in the OS page cache only (survives a process crash, not a power loss).
 */
export type Durability = 'fsync' | 'group' | 'none';

/**
 * The `durability` (default `'group'`) and `repair` (default false) options every file backend
 * takes, checked. Throws `ERR_INVALID_ARGUMENT` for a bad one. Cost: constant.
 */
export function checkDurabilityOptions(o: { durability?: unknown; repair?: unknown }): {
  durability: Durability;
  repair: boolean;
} {
  const durability = o.durability ?? 'group';
  if (durability !== 'fsync' && durability !== 'group' && durability !== 'none') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `durability must be 'fsync', 'group' or 'none'`);
  }
  if (o.repair !== undefined && typeof o.repair !== 'boolean') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'repair must be a boolean');
  }
  return { durability, repair: o.repair ?? false };
}

/** Where the writes of a data file stand: what is buffered, written to the OS and known durable. */
export interface DurabilityStatus {
  durability: Durability;
  /** Bytes buffered in the process, not yet written to the OS (`'group'` only). */
  pendingBytes: number;
  /** Highest seq handed to the writer. */
  lastSeq: number;
  /** Highest seq known to be on disk (fsynced). */
  durableSeq: number;
  /** fsyncs of the file so far. */
  syncs: number;
}

const INITIAL_STAGE_BYTES = 64 * 1024;

/** Writers with frames possibly buffered; a normal exit (process.exit included) flushes them. */
const buffering = new Set<GroupCommitWriter>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const writer of buffering) writer.flushOnExit();
}

/**
 * Appends frames to an open data file (a log, a live segment) with one of three durability modes
 * (ARCHITECTURE.md D8). In `'group'` mode frames are buffered and committed (one write, one fdatasync)
 * when `groupCommitMs` has passed since the oldest buffered frame or the buffer would pass
 * `groupCommitBytes`: checked on every append, so it holds while the event loop never yields
 * (the append then fdatasyncs on the JS thread), and by an unref'd timer. Once the loop has
 * turned, fsyncs run on the libuv pool, so a slow disk does not block the loop.
 * After a failed write or fsync the writer refuses everything (the file is in an unknown state).
 */
export class GroupCommitWriter {
  private stage: Buffer = Buffer.allocUnsafeSlow(INITIAL_STAGE_BYTES);
  private pendingBytes = 0;
  private pendingSince = 0;
  private pendingSeq = 0;
  /** End of what was written to the OS. */
  private written: number;
  private writtenSeq: number;
  private durable: number;
  private durableSeq: number;
  private syncs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the event loop turned since the pending group's first frame. */
  private loopTurned = false;
  private syncing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private fdClosed = false;

  /**
   * Takes over `fd` (open for writing; closed by {@link close}), whose frames end at `end` and
   * hold seqs up to `lastSeq`, all already durable. Never throws. Cost: constant.
   */
  constructor(
    private readonly fd: number,
    end: number,
    lastSeq: number,
    private readonly durability: Durability,
    private readonly groupCommitMs: number,
    private readonly groupCommitBytes: number,
  ) {
    this.written = end;
    this.durable = end;
    this.writtenSeq = lastSeq;
    this.durableSeq = lastSeq;
    if (durability === 'group') {
      buffering.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', flushAllOnExit);
      }
    }
  }

  /**
   * Writes and fsyncs buffered frames as the process exits normally: acknowledged writes are
   * lost only to a crash, never to `process.exit()`. Never throws. Cost: one write and fsync.
   */
  flushOnExit(): void {
    if (this.closed || this.failure || this.pendingBytes === 0) return;
    try {
      this.syncNow();
    } catch {
      // Nothing can be reported from an exit handler; the torn tail is recovered on open.
    }
  }

  /** Size of the file once buffered frames are written. */
  get size(): number {
    return this.written + this.pendingBytes;
  }

  /** Where the writes stand. */
  status(): DurabilityStatus {
    return {
      durability: this.durability,
      pendingBytes: this.pendingBytes,
      lastSeq: this.pendingBytes > 0 ? this.pendingSeq : this.writtenSeq,
      durableSeq: this.durableSeq,
      syncs: this.syncs,
    };
  }

  /**
   * Appends one frame holding the fact `seq`. A call that throws (a failed write or fsync, or
   * an earlier failure) has not added its frame. Cost: `'fsync'` one write and one fdatasync;
   * `'none'` one write; `'group'` a memory copy, plus a commit when the window is over.
   */
  append(frame: Buffer, seq: number): void {
    this.checkUsable();
    if (this.durability === 'group') {
      this.appendGrouped(frame, seq);
      return;
    }
    const at = this.written;
    try {
      writeAllSync(this.fd, frame, at);
      if (this.durability === 'fsync') {
        fs.fdatasyncSync(this.fd);
        this.syncs += 1;
      }
    } catch (error) {
      this.fail(error, at);
      throw error;
    }
    this.written = at + frame.length;
    this.writtenSeq = seq;
    if (this.durability === 'fsync') {
      this.durable = this.written;
      this.durableSeq = seq;
    }
  }

  /** Resolves when every appended frame is on disk; rejects after a failure. */
  async flush(): Promise<void> {
    this.checkUsable();
    this.writePending();
    await this.syncTo(this.written);
  }

  /** Writes buffered frames to the OS (no fsync), so that a reader of the file sees them. */
  flushToOs(): void {
    this.checkUsable();
    this.writePending();
  }

  /** {@link flush}, blocking: writes the buffer and fdatasyncs. Throws after a failure. */
  flushSync(): void {
    this.checkUsable();
    this.writePending();
    if (this.durable < this.written) this.syncNow();
  }

  /** Flushes, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.flush();
    } finally {
      this.shut();
    }
  }

  /** {@link close}, blocking. Idempotent. */
  closeSync(): void {
    if (this.closed) return;
    try {
      if (!this.failure) this.flushSync();
    } finally {
      this.shut();
    }
  }

  /**
   * Closes the file dropping buffered frames: for a file that was just replaced by a newer one
   * that holds everything it had. Never throws.
   */
  discard(): void {
    if (this.closed) return;
    this.pendingBytes = 0;
    // The newer file holds and made durable what this one wrote: a `flush` still waiting on
    // this writer resolves instead of fsyncing a closed descriptor.
    this.durable = this.written;
    this.durableSeq = this.writtenSeq;
    this.shut();
  }

  private appendGrouped(frame: Buffer, seq: number): void {
    if (this.pendingBytes > 0) {
      const due =
        this.pendingBytes + frame.length > this.groupCommitBytes ||
        performance.now() - this.pendingSince >= this.groupCommitMs;
      // Commit what came before, so that a failure never involves this call's frame: on the JS
      // thread while the event loop has not turned since that group began (nothing else would
      // sync it), else on the libuv pool, so that a slow disk (say, behind a checkpoint's
      // snapshot) does not stall the loop.
      if (due && this.loopTurned) this.commitInBackground();
      else if (due) this.syncNow();
    }
    if (this.pendingBytes === 0) {
      this.pendingSince = performance.now();
      this.loopTurned = false;
      setImmediate(this.noteTurn).unref();
    }
    this.stageFrame(frame);
    this.pendingSeq = seq;
    this.timer ??= setTimeout(() => this.onTimer(), this.groupCommitMs).unref();
  }

  private stageFrame(frame: Buffer): void {
    const needed = this.pendingBytes + frame.length;
    if (needed > this.stage.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(needed, this.stage.length * 2));
      this.stage.copy(bigger, 0, 0, this.pendingBytes);
      this.stage = bigger;
    }
    frame.copy(this.stage, this.pendingBytes);
    this.pendingBytes = needed;
  }

  /** Marks that the event loop ran since the pending group began. */
  private readonly noteTurn = (): void => {
    this.loopTurned = true;
  };

  /** Writes the buffer to the OS and fdatasyncs it on the pool (failures are recorded). */
  private commitInBackground(): void {
    this.writePending();
    this.syncTo(this.written).catch(() => undefined);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.closed || this.failure) return;
    try {
      this.writePending();
    } catch {
      return; // recorded by writePending; surfaced by the next call
    }
    // The failure is recorded and surfaced by the next call; nobody awaits this promise.
    this.syncTo(this.written).catch(() => undefined);
  }

  private writePending(): void {
    if (this.pendingBytes === 0) return;
    const at = this.written;
    try {
      writeAllSync(this.fd, this.stage.subarray(0, this.pendingBytes), at);
    } catch (error) {
      this.fail(error, at);
      throw error;
    }
    this.written = at + this.pendingBytes;
    this.writtenSeq = this.pendingSeq;
    this.pendingBytes = 0;
    if (this.stage.length > 4 * this.groupCommitBytes + INITIAL_STAGE_BYTES) {
      this.stage = Buffer.allocUnsafeSlow(INITIAL_STAGE_BYTES);
    }
  }

  private syncNow(): void {
    this.writePending();
    try {
      fs.fdatasyncSync(this.fd);
    } catch (error) {
      this.fail(error, undefined);
      throw error;
    }
    this.markDurable(this.written, this.writtenSeq);
  }

  private markDurable(offset: number, seq: number): void {
    this.syncs += 1;
    if (offset > this.durable) {
      this.durable = offset;
      this.durableSeq = seq;
    }
    if (this.durable >= this.written && this.pendingBytes === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Resolves once everything up to `target` is durable, joining an fsync already running. */
  private async syncTo(target: number): Promise<void> {
    while (this.durable < target) {
      if (this.failure) throw this.failure;
      if (!this.syncing) {
        const offset = this.written;
        const seq = this.writtenSeq;
        this.syncing = new Promise<void>((resolve, reject) => {
          fs.fdatasync(this.fd, (error) => {
            this.syncing = undefined;
            if (error) {
              this.fail(error, undefined);
              reject(error);
            } else {
              this.markDurable(offset, seq);
              resolve();
            }
            if (this.closed) this.closeFd();
          });
        });
      }
      await this.syncing;
    }
  }

  private checkUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the frame writer is closed');
  }

  /** Records a failure; undoes a partial write at `at` when given (best effort). */
  private fail(error: unknown, at: number | undefined): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    if (at === undefined) return;
    try {
      fs.ftruncateSync(this.fd, at);
    } catch {
      // The torn bytes are truncated on the next open.
    }
  }

  private shut(): void {
    this.closed = true;
    buffering.delete(this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // An fsync running on the pool still uses the descriptor: its callback closes it.
    if (!this.syncing) this.closeFd();
  }

  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Nothing more can be lost by a failed close of a flushed (or abandoned) log.
    }
  }
}
