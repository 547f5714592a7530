import { IgniterError } from '../../src/errors.js';
import { IgniterStore } from '../../src/store.js';
import type { StoreOptions } from '../../src/store-types.js';

/** A clock the test moves by hand: every time-dependent behaviour is driven by it, never by sleeps. */
export interface ManualClock {
  /** The clock function to give a store. */
  readonly clock: () => number;
  /** Sets the current time (ms). */
  set(ms: number): void;
  /** Moves the current time forward by `ms`. */
  advance(ms: number): void;
  /** How many times the store read the clock. */
  readonly reads: number;
}

/** A clock that starts at `start` ms and only moves when the test says so. */
export function manualClock(start = 1_000): ManualClock {
  let now = start;
  let reads = 0;
  return {
    clock: () => {
      reads += 1;
      return now;
    },
    set(ms: number) {
      now = ms;
    },
    advance(ms: number) {
      now += ms;
    },
    get reads() {
      return reads;
    },
  };
}

/** A fresh in-memory store (engine from IGNITER_ENGINE) on a manual clock. */
export function newStore(options: StoreOptions = {}): { store: IgniterStore; time: ManualClock } {
  const time = manualClock();
  const store = new IgniterStore({ clock: time.clock, ...options });
  return { store, time };
}

/** The error `run` throws; fails the test when it returns normally or throws a non-Igniter error. */
export function thrown(run: () => unknown): IgniterError {
  try {
    run();
  } catch (error) {
    if (error instanceof IgniterError) return error;
    throw error;
  }
  throw new Error('expected the call to throw an IgniterError');
}

/** Every fact of the log, as plain snapshots of (seq, store, key) for before/after comparisons. */
export function logShape(store: IgniterStore): Array<[number, string, string]> {
  return store.factLogAll().map((f) => [f.seq, f.store, f.key]);
}
