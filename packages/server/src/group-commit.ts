/**
 * Group commit over HTTP: write requests wait for the store's `flush()` before they are
 * answered, and requests that arrive together share one. At most one flush runs; every request
 * that commits while it runs waits for the next one, which starts when the running one ends and
 * covers all of them. A burst of N concurrent writers costs a few flushes, not N.
 *
 * Before a flush starts with fewer waiters than the previous flush served, it waits up to
 * `gatherMs` for them: the writers just answered usually write again at once (one request per
 * connection), and a flush started without them would serve one writer while the others queue
 * behind it for a whole fsync.
 */
export class GroupCommit {
  readonly #flush: () => Promise<void>;
  readonly #onFlush: (writes: number, seconds: number) => void;
  readonly #gatherMs: number;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** Waiters of the next flush. */
  #nextWaiters = 0;
  /** Writers the last flush served. */
  #lastBatch = 0;
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
    if (this.#gathered && this.#nextWaiters >= this.#lastBatch) this.#gathered();
    return this.#next;
  }

  /** The flush for the current waiters: starts when the running one (which may not cover them) ends. */
  async #startAfter(running: Promise<void> | undefined): Promise<void> {
    // Always yield first: `#next` must hold this promise before it is cleared below.
    await running?.catch(() => undefined);
    if (this.#nextWaiters < this.#lastBatch) await this.#gather();
    // From here on, new callers wait for the flush after this one.
    this.#next = undefined;
    const writes = this.#nextWaiters;
    this.#nextWaiters = 0;
    this.#lastBatch = writes;
    const started = performance.now();
    const flush = this.#flush();
    this.#running = flush;
    try {
      await flush;
    } finally {
      if (this.#running === flush) this.#running = undefined;
      this.#onFlush(writes, (performance.now() - started) / 1000);
    }
  }

  /** Resolves when as many writers wait as the last flush served, or after `gatherMs`. */
  #gather(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#gatherMs);
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
