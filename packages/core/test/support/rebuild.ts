import type { Fact, IgniterStore, Json } from '../../src/index.js';
import { newStore } from './store.js';

/** The latest value of every key of a store, by key. */
export function latestValues(store: IgniterStore, name: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const fact of store.history({ store: name })) out[fact.key] = fact.value;
  return out;
}

/**
 * What a fresh store holds in `target` after replaying `facts` (their store, key and value, in
 * seq order) with the rules `register` sets up.
 */
export function replayed(
  facts: readonly Fact[],
  register: (store: IgniterStore) => void,
  target: string,
): Record<string, Json> {
  const { store } = newStore({ onRuleError: () => undefined });
  register(store);
  for (const fact of facts) store.write({ store: fact.store, key: fact.key, value: fact.value });
  return latestValues(store, target);
}

/**
 * Awaits `rebuild`, calling `write(i)` once per turn of the event loop until it settles.
 * Returns its result and how many writes ran while it was in progress.
 */
export async function whileRebuilding<T>(
  rebuild: Promise<T>,
  write: (i: number) => void,
): Promise<{ result: T; writes: number }> {
  let settled = false;
  const done = rebuild.finally(() => {
    settled = true;
  });
  let writes = 0;
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      if (settled) {
        resolve();
        return;
      }
      try {
        write(writes);
        writes += 1;
      } catch (error) {
        reject(error);
        return;
      }
      setImmediate(tick);
    };
    setImmediate(tick);
  });
  return { result: await done, writes };
}
