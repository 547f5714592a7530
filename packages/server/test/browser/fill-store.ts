import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { Changefeed, IgniterStore } from '@igniter/core';

/** 2026-01-01T12:00:00.000Z: the first write; every later one a minute on, so versions have distinct moments. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const MINUTE = 60_000;

/** A segmented store (stats and a manifest to show) with a changefeed and a clock the test moves. */
export function filledStore(): { store: IgniterStore; tick: () => number; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-inspector-'));
  let now = T0;
  const store = new IgniterStore({
    backend: new SegmentedFileBackend(join(dir, 'data')),
    changefeed: new Changefeed(),
    clock: () => now,
  });
  const tick = () => {
    now += MINUTE;
    return now;
  };
  store.registerDerivation({
    name: 'order_count',
    sourceStore: 'orders',
    targetStore: 'totals',
    targetKey: 'all',
    rule: (facts) => ({ orders: facts.length }),
  });
  // tasks/t1: three versions (12:00, 12:01, 12:02); the second says it was valid from 11:30.
  store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', done: false } });
  tick();
  store.write({
    store: 'tasks',
    key: 't1',
    value: { title: 'Buy oat milk', done: false },
    validTime: T0 - 30 * MINUTE,
  });
  tick();
  store.write({ store: 'tasks', key: 't1', value: { title: 'Buy oat milk', done: true } });
  tick();
  store.write({ store: 'tasks', key: 't2', value: { title: 'Call mum', done: false } });
  tick();
  store.write({ store: 'notes', key: 'n1', value: 'remember the milk' });
  tick();
  // Each order re-runs the derivation: totals/all gets { orders: 1 }, then { orders: 2 }.
  store.write({ store: 'orders', key: 'o1', value: { amount: 5 } });
  tick();
  store.write({ store: 'orders', key: 'o2', value: { amount: 7 } });
  tick();
  return {
    store,
    tick,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
