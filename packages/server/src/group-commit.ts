/**
 * Group commit over HTTP: write requests wait for the store's `flush()` before they are
 * answered, and requests that arrive together share one. At most one flush runs; every request
 * that commits while it runs waits for the next one, which starts when the running one ends and
 * covers all of them. A burst of N concurrent writers costs a few flushes, not N.
 *
 * Before a flush starts, it waits up to `gatherMs` for the writers the previous flush just
 * answered, as long as fewer are waiting than that flush served plus those already waiting: a
 * writer usually writes again at once (one request per connection), and a flush started without
 * them splits the writers into two groups that take turns, each waiting a whole fsync for the
 * other's.
 */
export class GroupCommit {
  readonly #flush: () => Promise<void>;
  readonly #onFlush: (writes: number, seconds: number) => void;
  readonly #gatherMs: number;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** Waiters of the next flush. */
  #nextWaiters = 0;
  /** Waiters the gathering flush waits for: the last flush's writers plus those waiting as it ended. */
  #target = 0;
  /** When the last flush ended (performance.now()). */
  #lastEnded = Number.NEGATIVE_INFINITY;
  #gathered: (() => void) | undefined;

  /**
   * `flush` makes every fact committed before the call durable (the store's `flush`); `onFlush`
   * is told how many requests each flush served and how long it took.
   */
  constructor(
    flush: () => Promise<void>,
    onFlush: (writes: number, seconds: number) => void = () => {},
    gatherMs = 1,
  ) {
    this.#flush = flush;
    this.#onFlush = onFlush;
    this.#gatherMs = gatherMs;
  }

  /**
   * Resolves once every fact committed before this call is durable; rejects with the flush's
   * error. Cost: shares one flush with every caller waiting at the same time.
   */
  durable(): Promise<void> {
    this.#nextWaiters += 1;
    this.#next ??= this.#startAfter(this.#running);
    if (this.#gathered && this.#nextWaiters >= this.#target) this.#gathered();
    return this.#next;
  }

  /** The flush for the current waiters: starts when the running one (which may not cover them) ends. */
  async #startAfter(running: Promise<void> | undefined): Promise<void> {
    // Always yield first: `#next` must hold this promise before it is cleared below.
    await running?.catch(() => undefined);
    // Right after a flush, its writers are on their way back; long after it, nobody is coming.
    if (this.#nextWaiters < this.#target && performance.now() - this.#lastEnded < this.#gatherMs) {
      await this.#gather();
    }
    // From here on, new callers wait for the flush after this one.
    this.#next = undefined;
    const writes = this.#nextWaiters;
    this.#nextWaiters = 0;
    const started = performance.now();
    const flush = this.#flush();
    this.#running = flush;
    try {
      await flush;
    } finally {
      if (this.#running === flush) this.#running = undefined;
      this.#lastEnded = performance.now();
      this.#target = writes + this.#nextWaiters;
      this.#onFlush(writes, (this.#lastEnded - started) / 1000);
    }
  }

  /** Resolves when `#target` writers wait, or `gatherMs` after the last flush ended. */
  #gather(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, this.#lastEnded + this.#gatherMs - performance.now()));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#gathered = undefined;
        resolve();
      }
      this.#gathered = done;
    });
  }
}
