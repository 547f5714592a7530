/** What group commit needs of a segment's writer (a `GroupCommitWriter` in `'none'` mode). */
export interface SyncableWriter {
  /** Writes and fdatasyncs, blocking. */
  flushSync(): void;
  /** Fdatasyncs on the libuv pool. */
  flush(): Promise<void>;
}

/**
 * Group commit across the live segments of every store (`durability: 'group'`). Each frame goes
 * to the OS as it is appended (its writer runs in `'none'` mode), so a process crash loses
 * nothing and can never keep a later fact of one store while losing an earlier fact of another;
 * every segment written since the last commit is fdatasynced together once `groupCommitMs` has
 * passed since the first unsynced write or `groupCommitBytes` were written: checked before each
 * append, so it holds while the event loop never yields, and by an unref'd timer whose fsyncs
 * run on the libuv pool.
 */
export class GroupSync {
  private readonly dirty = new Set<SyncableWriter>();
  private bytes = 0;
  private since = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param groupCommitMs longest time a write waits for its fsync
   * @param groupCommitBytes most bytes written between fsyncs
   */
  constructor(
    private readonly groupCommitMs: number,
    private readonly groupCommitBytes: number,
  ) {}

  /**
   * Commits what was written before, when the window is over or `frameBytes` more would pass
   * `groupCommitBytes`; call it before appending a frame, so that a failed fsync never involves
   * the new frame. Throws the system error of a failed fsync. Cost: nothing, or one fdatasync
   * per segment written since the last commit.
   */
  beforeAppend(frameBytes: number): void {
    if (this.dirty.size === 0) return;
    if (
      this.bytes + frameBytes > this.groupCommitBytes ||
      performance.now() - this.since >= this.groupCommitMs
    ) {
      this.commitNow();
    }
  }

  /** Records that `frameBytes` were appended through `writer`, and arms the timer. Cost: constant. */
  appended(writer: SyncableWriter, frameBytes: number): void {
    if (this.dirty.size === 0) this.since = performance.now();
    this.dirty.add(writer);
    this.bytes += frameBytes;
    this.timer ??= setTimeout(() => this.onTimer(), this.groupCommitMs).unref();
  }

  /** Forgets `writer` (it was sealed, replaced or closed, which made it durable or moot). */
  forget(writer: SyncableWriter): void {
    this.dirty.delete(writer);
  }

  /** Stops the timer (on close). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private commitNow(): void {
    const writers = [...this.dirty];
    this.reset();
    for (const [i, writer] of writers.entries()) {
      try {
        writer.flushSync();
      } catch (error) {
        // The writers not synced yet stay due: the next append or flush retries them.
        for (const rest of writers.slice(i + 1)) this.dirty.add(rest);
        throw error;
      }
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    const writers = [...this.dirty];
    this.reset();
    // A failure is recorded by the writer and surfaced by its next call; nobody awaits this.
    for (const writer of writers) writer.flush().catch(() => undefined);
  }

  private reset(): void {
    this.dirty.clear();
    this.bytes = 0;
    this.stop();
  }
}
