/** How a subscription waits between reconnects. */
export interface Backoff {
  /** The first wait, in ms (default 250). */
  minDelayMs: number;
  /** The longest wait, in ms (default 30_000). */
  maxDelayMs: number;
}

/** The default reconnect waits: 250 ms doubling to 30 s. */
export const DEFAULT_BACKOFF: Backoff = { minDelayMs: 250, maxDelayMs: 30_000 };

/**
 * The wait before reconnect number `attempt` (0 = the first): `minDelayMs * 2^attempt`, capped at
 * `maxDelayMs`, then a random point in its upper half ("equal jitter"), so that the clients a
 * restarting server dropped do not all come back in the same instant, yet none comes back at once.
 */
export function reconnectDelay(
  backoff: Backoff,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.minDelayMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
