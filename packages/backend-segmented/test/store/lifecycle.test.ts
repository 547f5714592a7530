import { type Fact, IgniterStore, type StoreOptions } from '@igniter/core';
import { filesContaining, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

/** A store over a segmented backend in the test's directory, with a manual clock starting at `now`. */
function openStore(clock: { now: number }, options: StoreOptions = {}): IgniterStore {
  const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 3, clock: () => clock.now });
  return temp.track(new IgniterStore({ backend, engine: ENGINE, clock: () => clock.now, ...options }));
}

/** A store with sensor readings s1 (three, each marked) and s2, and a permanent "notes" store. */
function readings(clock: { now: number }): { store: IgniterStore; facts: Fact[] } {
  const store = openStore(clock);
  const facts: Fact[] = [];
  for (const [i, v] of [1, 2, 3].entries()) {
    clock.now += 1000;
    facts.push(store.write({ store: 'sensors', key: 's1', value: { v, marker: `READING-${i}-END` } }));
  }
  facts.push(store.write({ store: 'sensors', key: 's2', value: { v: 10 } }));
  facts.push(store.write({ store: 'notes', key: 'n1', value: 'keep me' }));
  return { store, facts };
}

describe(`an IgniterStore over a SegmentedFileBackend (${ENGINE} engine)`, () => {
  it('compaction is durable: dropped facts never come back, the receipt survives, their bytes are gone', async () => {
    const clock = { now: 1_700_000_000_000 };
    const { store, facts } = readings(clock);
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const [result] = store.compact();
    expect(result).toEqual(expect.objectContaining({ store: 'sensors', droppedCount: 2, keptCount: 2 }));
    await store.flush();
    expect(filesContaining(temp.dir(), 'READING-0-END')).toEqual([]);
    expect(filesContaining(temp.dir(), 'READING-1-END')).toEqual([]);
    expect(filesContaining(temp.dir(), 'READING-2-END')).toHaveLength(1);
    await store.close();
    const again = openStore(clock);
    expect(again.factById(facts[0]?.id ?? '')).toBeUndefined();
    expect(again.factById(facts[1]?.id ?? '')).toBeUndefined();
    expect(again.history({ store: 'sensors', key: 's1' }).map((f) => f.id)).toEqual([facts[2]?.id]);
    expect(again.read({ store: 'notes', key: 'n1' })).toBe('keep me');
    expect(again.compactionReceipts().map((r) => r.id)).toEqual([result?.receiptId]);
    const next = again.write({ store: 'notes', key: 'n2', value: 1 });
    expect(next.seq).toBe(7);
  });

  it('prune is durable: pruned facts stay gone after reopen, with their receipt and activity entry', async () => {
    const clock = { now: 1_700_000_000_000 };
    const { store, facts } = readings(clock);
    const target = facts[1] as Fact;
    const pruned = store.pruneFactIds({ factIds: [target.id], reason: 'gdpr request 17' });
    expect(pruned).toEqual(expect.objectContaining({ status: 'ok', prunedCount: 1, missingCount: 0 }));
    await store.flush();
    expect(filesContaining(temp.dir(), 'READING-1-END')).toEqual([]);
    await store.close();
    const again = openStore(clock);
    expect(again.factById(target.id)).toBeUndefined();
    expect(again.factCount()).toBe(facts.length);
    expect(again.compactionActivity()).toEqual([
      expect.objectContaining({
        kind: 'exact_prune',
        executor: 'fact_prune',
        store: 'sensors',
        factCount: 1,
      }),
    ]);
  });

  it('a segment purge is listed by compactionActivity as segment_purge, also after reopen', async () => {
    const clock = { now: 1_700_000_000_000 };
    const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2, clock: () => clock.now });
    const store = new IgniterStore({ backend, engine: ENGINE, clock: () => clock.now });
    for (const v of [1, 2, 3]) {
      clock.now += 1000;
      store.write({ store: 'sensors', key: `s${v}`, value: v });
    }
    clock.now += 1000;
    const receipts = backend.purge({ before: clock.now, reason: 'older than the retention window' });
    expect(receipts).toEqual([
      {
        store: 'sensors',
        segment: 1,
        factCount: 2,
        reason: 'older than the retention window',
        purgedAt: clock.now,
      },
    ]);
    const entry = {
      kind: 'segment_purge',
      executor: 'segmented_backend',
      store: 'sensors',
      status: 'ok',
      reason: 'older than the retention window',
      factCount: 2,
      receiptId: 'sensors/segment-1',
      occurredAt: clock.now,
    };
    expect(store.compactionActivity()).toEqual([entry]);
    expect(store.compactionActivity({ store: 'other' })).toEqual([]);
    // The running store forgets the purged facts at once, as a reopen would.
    expect(store.factLogAll().map((f) => f.key)).toEqual(['s3']);
    expect(store.read({ store: 'sensors', key: 's1' })).toBeUndefined();
    await store.close();
    const again = openStore(clock);
    expect(again.compactionActivity({ store: 'sensors' })).toEqual([entry]);
    expect(again.factLogAll().map((f) => f.key)).toEqual(['s3']);
    expect(again.write({ store: 'sensors', key: 's4', value: 4 }).seq).toBe(4);
  });

  it('a compaction after a purge in the same session does not bring the purged facts back', async () => {
    const clock = { now: 1_700_000_000_000 };
    const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2, clock: () => clock.now });
    const store = new IgniterStore({ backend, engine: ENGINE, clock: () => clock.now });
    for (const [i, key] of ['a', 'b', 'c', 'c'].entries()) {
      clock.now += 1000;
      store.write({ store: 'sensors', key, value: i });
    }
    // Segment 1 (a, b) is purged, which the store forgets; the compaction drops the first c.
    expect(backend.purge({ before: clock.now - 1500 }).map((r) => r.segment)).toEqual([1]);
    expect(store.read({ store: 'sensors', key: 'a' })).toBeUndefined();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    expect(store.compact()).toEqual([expect.objectContaining({ droppedCount: 1, keptCount: 1 })]);
    await store.close();
    const again = openStore(clock);
    expect(
      again
        .factLogAll()
        .filter((f) => f.store === 'sensors')
        .map((f) => [f.key, f.value]),
    ).toEqual([['c', 3]]);
    expect(again.compactionActivity().map((a) => a.kind)).toEqual(['retention_compaction', 'segment_purge']);
  });

  it('checkpoint seals the live segments, and a reopen replays the same facts', async () => {
    const clock = { now: 1_700_000_000_000 };
    const { store, facts } = readings(clock);
    store.checkpoint();
    await store.flush();
    expect(
      Object.values(store.segmentManifest()?.stores ?? {})
        .flat()
        .every((s) => s.sealed),
    ).toBe(true);
    await store.close();
    expect(openStore(clock).factLogAll()).toEqual(facts);
  });

  it('storageStats and segmentManifest of the store are those of the backend', () => {
    const clock = { now: 1_700_000_000_000 };
    const backend = new SegmentedFileBackend(temp.dir());
    const store = temp.track(new IgniterStore({ backend, engine: ENGINE, clock: () => clock.now }));
    store.write({ store: 'a', key: 'k', value: 1 });
    store.write({ store: 'b', key: 'k', value: 2 });
    expect(store.storageStats()).toEqual(backend.storageStats());
    expect(store.storageStats({ store: 'a' })).toEqual(backend.storageStats({ store: 'a' }));
    expect(store.storageStats()?.backend).toBe('segmented');
    expect(store.segmentManifest({ store: 'b' })).toEqual(backend.segmentManifest({ store: 'b' }));
  });
});
