/**
 * Group commit over HTTP: write requests wait for the store's `flush()` before they are
 * answered, and requests that arrive together share one. At most one flush runs; every request
 * that commits while it runs waits for the next one, which starts when the running one ends and
 * covers all of them. A burst of N concurrent writers costs about two flushes, not N.
 */
export class GroupCommit {
  readonly #flush: () => Promise<void>;
  readonly #onFlush: (writes: number, seconds: number) => void;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** Waiters of the next flush, counted for the metrics. */
  #nextWaiters = 0;

  /**
   * `flush` makes every fact committed before the call durable (the store's `flush`); `onFlush`
   * is told how many requests each flush served and how long it took.
   */
  constructor(flush: () => Promise<void>, onFlush: (writes: number, seconds: number) => void = () => {}) {
    this.#flush = flush;
    this.#onFlush = onFlush;
  }

  /**
   * Resolves once every fact committed before this call is durable; rejects with the flush's
   * error. Cost: shares one flush with every caller waiting at the same time.
   */
  durable(): Promise<void> {
    this.#nextWaiters += 1;
    this.#next ??= this.#startAfter(this.#running);
    return this.#next;
  }

  /** The flush for the current waiters: starts when the running one (which may not cover them) ends. */
  async #startAfter(running: Promise<void> | undefined): Promise<void> {
    // Always yield first: `#next` must hold this promise before it is cleared below.
    await running?.catch(() => undefined);
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
      this.#onFlush(writes, (performance.now() - started) / 1000);
    }
  }
}
