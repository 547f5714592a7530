import { describe, expect, it } from 'vitest';
import type { ConsumerEvent } from '../src/schema-graph.js';
import { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend } from './support/memory-backend.js';
import { manualClock, newStore } from './support/store.js';

/** A backend holding the facts of a first store session at tt 1000..3000. */
function previousSession() {
  const backend = new MemoryBackend();
  const { store, time } = newStore({ backend });
  time.set(1_000);
  store.write({ store: 'docs', key: 'd1', value: { status: 'open', tid: 'a' } });
  time.set(2_000);
  store.append({ history: 'docs', event: { status: 'open', tid: 'b' } });
  time.set(3_000);
  store.write({ store: 'docs', key: 'd1', value: { status: 'done', tid: 'a' } });
  return { backend, facts: store.factLogAll() };
}

describe(`a store with a backend (${ENGINE_KIND} engine)`, () => {
  it('writes every committed fact to the backend, in seq order', () => {
    const { backend, facts } = previousSession();
    expect(backend.facts).toEqual(facts);
    expect(backend.facts.map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('replays the backend before the constructor returns', () => {
    const { backend, facts } = previousSession();
    const { store } = newStore({ backend });
    expect(store.factLogAll()).toEqual(facts);
    expect(store.factCount()).toBe(3);
    expect(store.read({ store: 'docs', key: 'd1' })).toEqual({ status: 'done', tid: 'a' });
    expect(store.factById(facts[0]?.id ?? '')).toEqual(facts[0]);
    expect(store.history({ store: 'docs', key: 'd1' }).map((f) => f.seq)).toEqual([1, 3]);
    expect(store.read({ store: 'docs', key: 'd1', asOf: 2_500 })).toEqual({ status: 'open', tid: 'a' });
  });

  it('continues seq after the replayed facts', () => {
    const { backend } = previousSession();
    const { store } = newStore({ backend });
    expect(store.write({ store: 'docs', key: 'd2', value: 1 }).seq).toBe(4);
  });

  it("continues seq after the backend's high-water mark when facts above it were pruned", () => {
    const { backend } = previousSession();
    backend.highWater = 10;
    const { store } = newStore({ backend });
    expect(store.write({ store: 'docs', key: 'd2', value: 1 }).seq).toBe(11);
  });

  it('keeps transaction times non-decreasing across a reopen with a clock that is behind', () => {
    const { backend } = previousSession();
    const { store, time } = newStore({ backend });
    time.set(500);
    expect(store.write({ store: 'docs', key: 'd2', value: 1 }).transactionTime).toBe(3_000);
  });

  it('links the first write after a reopen to the replayed latest fact', () => {
    const { backend, facts } = previousSession();
    const { store } = newStore({ backend });
    expect(store.write({ store: 'docs', key: 'd1', value: 1 }).causation).toBe(facts[2]?.id);
  });

  it('includes replayed facts in scope queries and partitions, without calling consumers for them', () => {
    const { backend } = previousSession();
    const { store } = newStore({ backend });
    const consumed: ConsumerEvent[] = [];
    store.registerPath({
      store: 'docs',
      scope: 'open',
      filters: { status: 'open' },
      consumers: [(e) => consumed.push(e)],
    });
    expect(store.query({ store: 'docs', scope: 'open' })).toHaveLength(1);
    expect(store.historyPartition({ store: 'docs', partitionKey: 'tid', partitionValue: 'a' })).toHaveLength(
      2,
    );
    expect(consumed).toEqual([]);
  });

  it('is what IgniterStore.open does with a Backend object', () => {
    const { backend, facts } = previousSession();
    const store = IgniterStore.open(backend, { clock: manualClock().clock });
    expect(store.factLogAll()).toEqual(facts);
    expect(store.engine).toBe(ENGINE_KIND);
  });

  it('closes the backend on close()', async () => {
    const { backend } = previousSession();
    const { store } = newStore({ backend });
    await store.flush();
    await store.close();
    expect(backend.closed).toBe(true);
  });
});

describe(`an in-memory store (${ENGINE_KIND} engine)`, () => {
  it('has no storage statistics, no segment manifest and a checkpoint that does nothing', async () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    expect(store.storageStats()).toBeNull();
    expect(store.segmentManifest()).toBeNull();
    await expect(store.checkpoint()).resolves.toBe(store);
    await expect(store.flush()).resolves.toBeUndefined();
    expect(store.factCount()).toBe(1);
  });

  it('runs on the engine the test run asked for', () => {
    expect(newStore().store.engine).toBe(ENGINE_KIND);
  });
});
