import { IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const T0 = 1_700_000_000_000;

/** A store whose segments hold two facts each, on a manual clock. */
function openStore(clock: { now: number }): IgniterStore {
  const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2, clock: () => clock.now });
  return temp.track(new IgniterStore({ backend, engine: ENGINE, clock: () => clock.now }));
}

/** Writes `values` to key `key` of "sensors", one second apart. */
function writeAll(store: IgniterStore, clock: { now: number }, entries: Array<[string, number]>): void {
  for (const [key, v] of entries) {
    clock.now += 1000;
    store.write({ store: 'sensors', key, value: { v } });
  }
}

const sealedSegments = (store: IgniterStore): number[] =>
  (store.segmentManifest()?.stores.sensors ?? []).filter((s) => s.sealed).map((s) => s.segment);

describe(`purgeSegments: retention applied to segments (${ENGINE} engine)`, () => {
  it('ephemeral purges the older sealed segments and keeps the newest sealed one', () => {
    const clock = { now: T0 };
    const store = openStore(clock);
    // segments: 1 = s1:1, s1:2 | 2 = s1:3, s1:4 | 3 = s1:5, s1:6 | live 4 = s1:7
    writeAll(
      store,
      clock,
      [1, 2, 3, 4, 5, 6, 7].map((v) => ['s1', v] as [string, number]),
    );
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const receipts = store.purgeSegments();
    expect(receipts.map((r) => [r.store, r.segment, r.factCount, r.reason])).toEqual([
      ['sensors', 1, 2, 'retention ephemeral: superseded by a newer sealed segment'],
      ['sensors', 2, 2, 'retention ephemeral: superseded by a newer sealed segment'],
    ]);
    expect(sealedSegments(store)).toEqual([3]);
    expect(store.history({ store: 'sensors', key: 's1' }).map((f) => (f.value as { v: number }).v)).toEqual([
      5, 6, 7,
    ]);
  });

  it('keeps a sealed segment that holds the latest fact of a key', () => {
    const clock = { now: T0 };
    const store = openStore(clock);
    // segment 1 = s1:1, quiet:1 (quiet is never written again) | 2 = s1:2, s1:3 | 3 = s1:4, s1:5 | live
    writeAll(store, clock, [
      ['s1', 1],
      ['quiet', 1],
      ['s1', 2],
      ['s1', 3],
      ['s1', 4],
      ['s1', 5],
      ['s1', 6],
    ]);
    store.setRetention('sensors', { strategy: 'ephemeral' });
    expect(store.purgeSegments().map((r) => r.segment)).toEqual([2]);
    expect(store.read({ store: 'sensors', key: 'quiet' })).toEqual({ v: 1 });
  });

  it('rolling_window purges the sealed segments whose facts are all older than the window', () => {
    const clock = { now: T0 };
    const store = openStore(clock);
    writeAll(
      store,
      clock,
      [1, 2, 3, 4, 5, 6, 7].map((v) => ['s1', v] as [string, number]),
    );
    store.setRetention('sensors', { strategy: 'rolling_window', duration: 3500 });
    // now = T0 + 7000: the window starts at T0 + 3500; segment 1 ends at T0 + 2000, 2 at T0 + 4000.
    const receipts = store.purgeSegments({ store: 'sensors' });
    expect(receipts.map((r) => [r.segment, r.reason])).toEqual([
      [1, 'retention rolling_window: every fact older than the 3500 ms window'],
    ]);
    clock.now += 10_000;
    expect(store.purgeSegments().map((r) => r.segment)).toEqual([2, 3]);
    expect(sealedSegments(store)).toEqual([]);
  });

  it('purges nothing for a permanent store, a store without a policy, or a named store without one', () => {
    const clock = { now: T0 };
    const store = openStore(clock);
    writeAll(
      store,
      clock,
      [1, 2, 3, 4, 5].map((v) => ['s1', v] as [string, number]),
    );
    expect(store.purgeSegments()).toEqual([]);
    expect(store.purgeSegments({ store: 'sensors' })).toEqual([]);
    store.setRetention('sensors', { strategy: 'permanent' });
    expect(store.purgeSegments()).toEqual([]);
    expect(sealedSegments(store)).toEqual([1, 2]);
  });

  it('lists each purge in compactionActivity, and a reopen reads what the store read after the purge', async () => {
    const clock = { now: T0 };
    const store = openStore(clock);
    writeAll(
      store,
      clock,
      [1, 2, 3, 4, 5, 6, 7].map((v) => ['s1', v] as [string, number]),
    );
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.purgeSegments();
    const history = store.history({ store: 'sensors' });
    expect(store.compactionActivity().map((e) => [e.kind, e.store, e.receiptId])).toEqual([
      ['segment_purge', 'sensors', 'sensors/segment-1'],
      ['segment_purge', 'sensors', 'sensors/segment-2'],
    ]);
    await store.close();
    const again = openStore(clock);
    expect(again.history({ store: 'sensors' })).toEqual(history);
    expect(again.retentionFor('sensors')).toBeUndefined();
  });
});
