import type { ChangeSubscription, IgniterStore } from '@igniter/core';
import { subscribable } from './routes/events.js';

/**
 * How far a served follower trails its writer, for `GET /v1/health` (`lag_ms`) and the
 * `igniter_follower_lag_seconds` gauge: the time from the writer writing a fact (its
 * `transactionTime`) to this process applying it, taken for each fact as its change event
 * arrives (a live changefeed subscription of the server's own). It reports the last fact
 * applied, so it stays put while the writer is idle. The two clocks are the two machines':
 * across machines the figure includes their clock difference.
 */
export class FollowerLag {
  readonly #store: IgniterStore;
  readonly #subscription: ChangeSubscription | undefined;
  #lagMs: number | null = null;

  /** Starts measuring when `store` is a follower with a changefeed; otherwise measures nothing. */
  constructor(store: IgniterStore) {
    this.#store = store;
    const changefeed = subscribable(store.changefeed);
    if (store.role !== 'follower' || !changefeed) return;
    const subscription = changefeed.subscribe();
    this.#subscription = subscription;
    void this.#pump(subscription);
  }

  /**
   * The lag of the last fact applied, in whole ms (>= 0); `null` on a writer (also a promoted
   * follower) and before a follower applied anything since the server started.
   */
  lagMs(): number | null {
    return this.#store.role === 'follower' ? this.#lagMs : null;
  }

  /** Stops measuring. Idempotent. */
  close(): void {
    this.#subscription?.close();
  }

  async #pump(subscription: ChangeSubscription): Promise<void> {
    try {
      for await (const event of subscription) {
        if (event.kind === 'lagged') continue;
        this.#lagMs = Math.max(0, Date.now() - event.transactionTime);
      }
    } catch {
      // An overflow ('close' policy) ends the measurement; the last figure stays.
    }
  }
}
