/**
 * Group commit over HTTP: write requests wait for the store's `flush()` before they are
 * answered, and requests that arrive together share one. A flush covers the requests that
 * were waiting when it was called (each had committed before); a request that commits after
 * that waits for a later one. Up to `depth` flushes are outstanding at once: the store's writer
 * runs them one after the other, so the next one's fsync can start as soon as the previous
 * one's ends, without waiting for the event loop to see that end. The requests waiting beyond
 * that form the next group, called when an outstanding flush ends. A group starts a flush while
 * another is outstanding only once it has `overlapAt` requests, and a small group that forms
 * within GATHER_MS of a flush's end waits that long for more: a trickle of requests (a burst
 * whose requests are read over many turns) waits for the running flush instead of calling one
 * each, so a burst of N concurrent writers costs a few flushes, not N.
 */
export class GroupCommit {
  readonly #flush: () => Promise<void>;
  readonly #onFlush: (writes: number, seconds: number) => void;
  readonly #depth: number;
  readonly #overlapAt: number;
  /** The requests waiting for a flush not called yet. */
  #waiting: Batch | undefined;
  #outstanding = 0;
  #scheduled = false;
  /** When the last flush ended: a small group waits up to GATHER_MS after it for more writers. */
  #lastEnded = Number.NEGATIVE_INFINITY;
  #gathering = false;
  readonly #gatherMs: number;

  /**
   * `flush` makes every fact committed before the call durable (the store's `flush`); `onFlush`
   * is told how many requests each flush served and how long it took; `gatherMs` is how long a
   * small group that forms right after a flush waits for more writers (default 1 ms).
   */
  constructor(
    flush: () => Promise<void>,
    onFlush: (writes: number, seconds: number) => void = () => {},
    depth = 2,
    overlapAt = 8,
    gatherMs = GATHER_MS,
  ) {
    this.#flush = flush;
    this.#onFlush = onFlush;
    this.#depth = depth;
    this.#overlapAt = overlapAt;
    this.#gatherMs = gatherMs;
  }

  /**
   * Resolves once every fact committed before this call is durable; rejects with the flush's
   * error. Cost: shares one flush with every caller waiting at the same time.
   */
  durable(): Promise<void> {
    return this.#join().promise();
  }

  /**
   * Calls `callback(target, arg, error)` once every fact committed before this call is durable
   * (`error` undefined) or the flush failed (`error` its error): {@link durable} without a
   * promise or a closure per caller, for the write routes (a module-level callback, the reply,
   * the fact). Callbacks run in the order they were added, and must not throw: one that does
   * is rethrown after the others have run. Cost: three array slots.
   */
  after<T, A>(callback: AfterFlush<T, A>, target: T, arg: A): void {
    this.#join().add(callback as AfterFlush<unknown, unknown>, target, arg);
  }

  /** The waiting group, with one more caller counted; schedules its launch. */
  #join(): Batch {
    this.#waiting ??= new Batch();
    const batch = this.#waiting;
    batch.writes += 1;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // One turn of the event loop: the requests read in the same turn join this group.
      setImmediate(this.#turn);
    }
    return batch;
  }

  readonly #turn = (): void => {
    this.#scheduled = false;
    this.#launch();
  };

  /**
   * Calls the flush of the waiting group, unless `depth` flushes are outstanding, or one is and
   * the group is smaller than `overlapAt` (it then goes when that one ends, or once it grows).
   */
  #launch(gathered = false): void {
    const batch = this.#waiting;
    if (!batch || this.#outstanding >= this.#depth) return;
    if (this.#outstanding > 0 && batch.writes < this.#overlapAt) return;
    // Right after a flush, a small group waits a moment for the writers still being read (a
    // burst whose requests arrive over many turns would otherwise get a flush per turn).
    if (!gathered && batch.writes < this.#overlapAt && performance.now() - this.#lastEnded < this.#gatherMs) {
      if (!this.#gathering) {
        this.#gathering = true;
        setTimeout(() => {
          this.#gathering = false;
          this.#launch(true);
        }, this.#gatherMs);
      }
      return;
    }
    this.#waiting = undefined;
    this.#outstanding += 1;
    const started = performance.now();
    this.#flush().then(
      () => this.#ended(batch, started, undefined),
      (error: unknown) => this.#ended(batch, started, error ?? new Error('flush failed')),
    );
  }

  #ended(batch: Batch, started: number, error: unknown): void {
    this.#outstanding -= 1;
    this.#lastEnded = performance.now();
    this.#onFlush(batch.writes, (performance.now() - started) / 1000);
    // The next group's flush first: the answers below take a while, the disk need not wait.
    this.#launch();
    batch.settle(error);
  }
}

/** How long a small group waits for more writers right after a flush ended. */
const GATHER_MS = 1;

/** What {@link GroupCommit.after} calls once the flush ended: `error` is undefined when durable. */
export type AfterFlush<T, A> = (target: T, arg: A, error: unknown) => void;

/** The requests one flush answers. */
class Batch {
  writes = 0;
  /** Callback, target, arg: three slots per {@link GroupCommit.after} caller. */
  readonly #after: unknown[] = [];
  /** One promise for every {@link GroupCommit.durable} caller of this batch, made on first use. */
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  add(callback: AfterFlush<unknown, unknown>, target: unknown, arg: unknown): void {
    this.#after.push(callback, target, arg);
  }

  promise(): Promise<void> {
    this.#promise ??= new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    return this.#promise;
  }

  /** Answers every caller: durable when `error` is undefined. */
  settle(error: unknown): void {
    if (error === undefined) this.#resolve?.();
    else this.#reject?.(error);
    const after = this.#after;
    let thrown: { error: unknown } | undefined;
    for (let i = 0; i < after.length; i += 3) {
      try {
        (after[i] as AfterFlush<unknown, unknown>)(after[i + 1], after[i + 2], error);
      } catch (callbackError) {
        thrown ??= { error: callbackError };
      }
    }
    if (thrown) throw thrown.error;
  }
}
