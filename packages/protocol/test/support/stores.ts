import { IgniterStore, type StoreOptions } from '@igniter/core';

/** Which engine this run uses (the vitest project sets IGNITER_ENGINE). */
export const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

/** A clock that starts at `start` and advances `step` ms per reading: deterministic times. */
export function steppingClock(start = 1_700_000_000_000, step = 1): () => number {
  let now = start - step;
  return () => {
    now += step;
    return now;
  };
}

/** An in-memory store with a deterministic clock. */
export function memoryStore(options: StoreOptions = {}): IgniterStore {
  return new IgniterStore({ clock: steppingClock(), ...options });
}
