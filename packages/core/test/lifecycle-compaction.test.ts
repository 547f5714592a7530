import { describe, expect, it } from 'vitest';
import { type Fact, IgniterStore } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';

function newStore(): { store: IgniterStore; set: (ms: number) => void } {
  let now = 10_000;
  const store = new IgniterStore({ clock: () => now });
  return {
    store,
    set: (ms) => {
      now = ms;
    },
  };
}

describe(`retention policies (${ENGINE_KIND} engine)`, () => {
  it('rejects unknown strategies and rolling windows without a positive duration', () => {
    const { store } = newStore();
    for (const policy of [
      { strategy: 'weird' },
      { strategy: 'rolling_window' },
      { strategy: 'rolling_window', duration: 0 },
      { strategy: 'ephemeral', duration: 5 },
    ]) {
      expect(() => store.setRetention('s', policy as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(store.compact()).toEqual([]);
  });

  it('returns nothing for a store with no policy or a permanent one', () => {
    const { store } = newStore();
    store.setRetention('kept', { strategy: 'permanent' });
    store.write({ store: 'kept', key: 'k', value: 1 });
    store.write({ store: 'kept', key: 'k', value: 2 });
    expect(store.compact('kept')).toEqual([]);
    expect(store.compact('unregistered')).toEqual([]);
    expect(store.compact()).toEqual([]);
    expect(store.history({ store: 'kept', key: 'k' })).toHaveLength(2);
  });
});

describe(`compaction (${ENGINE_KIND} engine)`, () => {
  it('keeps only the latest fact per key of an ephemeral store and writes one receipt', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.write({ store: 'sensors', key: 's1', value: { v: 1 } });
    store.write({ store: 'sensors', key: 's1', value: { v: 2 } });
    const last = store.write({ store: 'sensors', key: 's1', value: { v: 99 } });
    store.write({ store: 'sensors', key: 's2', value: { v: 10 } });
    const [result] = store.compact();
    expect(result).toEqual({
      store: 'sensors',
      strategy: 'ephemeral',
      droppedCount: 2,
      keptCount: 2,
      receiptId: store.compactionReceipts()[0]?.id,
    });
    expect(store.read({ store: 'sensors', key: 's1' })).toEqual({ v: 99 });
    expect(store.read({ store: 'sensors', key: 's2' })).toEqual({ v: 10 });
    expect(store.history({ store: 'sensors', key: 's1' })).toEqual([last]);
    expect(store.factCount()).toBe(3);
  });

  it('records the dropped range and the strategy in the receipt', () => {
    const { store, set } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const f1 = store.write({ store: 'sensors', key: 's1', value: 1 });
    set(10_005);
    const f2 = store.write({ store: 'sensors', key: 's1', value: 2 });
    set(10_010);
    store.write({ store: 'sensors', key: 's1', value: 3 });
    set(10_020);
    store.compact('sensors');
    const [receipt] = store.compactionReceipts({ store: 'sensors' });
    expect(receipt?.key).toMatch(/^sensors_[0-9a-f]{8}$/);
    expect(receipt?.value).toEqual({
      type: 'compaction_receipt',
      compactedStore: 'sensors',
      strategy: 'ephemeral',
      compactedCount: 2,
      oldestDropped: f1.id,
      newestDropped: f2.id,
      oldestTime: 10_000,
      newestTime: 10_005,
      compactedAt: 10_020,
    });
  });

  it('keeps facts inside the rolling window and the latest of every key', () => {
    const { store, set } = newStore();
    store.setRetention('metrics', { strategy: 'rolling_window', duration: 100 });
    store.write({ store: 'metrics', key: 'm', value: 1 });
    store.write({ store: 'metrics', key: 'm', value: 2 });
    store.write({ store: 'metrics', key: 'old', value: 1 });
    set(10_500);
    store.write({ store: 'metrics', key: 'm', value: 3 });
    store.write({ store: 'metrics', key: 'm', value: 4 });
    const [result] = store.compact();
    expect(result).toMatchObject({ droppedCount: 2, keptCount: 3 });
    expect(store.history({ store: 'metrics', key: 'm' }).map((f) => f.value)).toEqual([3, 4]);
    expect(store.read({ store: 'metrics', key: 'old' })).toBe(1);
  });

  it('reports a store with nothing to drop without writing a receipt', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.write({ store: 'sensors', key: 's1', value: 1 });
    expect(store.compact()).toEqual([
      { store: 'sensors', strategy: 'ephemeral', droppedCount: 0, keptCount: 1, receiptId: null },
    ]);
    expect(store.compactionReceipts()).toEqual([]);
    expect(store.compactionActivity()).toEqual([]);
  });

  it('compacts only the named store and leaves stores without a policy alone', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.setRetention('readings', { strategy: 'ephemeral' });
    for (const s of ['sensors', 'readings', 'payments']) {
      store.write({ store: s, key: 'k', value: 1 });
      store.write({ store: s, key: 'k', value: 2 });
    }
    expect(store.compact('sensors').map((r) => r.store)).toEqual(['sensors']);
    expect(store.history({ store: 'readings', key: 'k' })).toHaveLength(2);
    expect(store.causationChain({ store: 'payments', key: 'k' })).toHaveLength(2);
  });

  it('never reuses a seq and forgets dropped ids', () => {
    const { store } = newStore();
    store.setRetention('s', { strategy: 'ephemeral' });
    const dropped = store.write({ store: 's', key: 'k', value: 1 });
    store.write({ store: 's', key: 'k', value: 2 });
    store.compact();
    const next = store.write({ store: 's', key: 'n', value: 1 });
    expect(next.seq).toBe(4);
    expect(store.factById(dropped.id)).toBeUndefined();
    expect(store.factRef(dropped.id)).toBeUndefined();
  });

  it('keeps paths, consumers, scope queries, coercions and derivations working afterwards', () => {
    const { store } = newStore();
    const events: unknown[] = [];
    store.setRetention('tasks', { strategy: 'ephemeral' });
    store.registerPath({
      store: 'tasks',
      scope: 'open',
      filters: { status: 'open' },
      consumers: [(e) => events.push(e)],
    });
    store.registerCoercion('tasks', (v) => ({ ...(v as object), seen: true }));
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'totals',
      targetKey: 'all',
      rule: (facts: Fact[]) => ({ n: facts.length }),
    });
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'open', v: 2 } });
    expect(store.query({ store: 'tasks', scope: 'open' })).toHaveLength(1);
    store.compact('tasks');
    events.length = 0;
    store.write({ store: 'tasks', key: 't2', value: { status: 'open' } });
    expect(events).toEqual([{ store: 'tasks', scope: 'open', key: 't2' }]);
    expect(store.query({ store: 'tasks', scope: 'open' }).map((f) => [f.key, f.value])).toEqual([
      ['t1', { status: 'open', v: 2, seen: true }],
      ['t2', { status: 'open', seen: true }],
    ]);
    expect(store.read({ store: 'totals', key: 'all' })).toEqual({ n: 2 });
    expect(store.schemaGraph.pathFor('tasks', 'open')?.scope).toBe('open');
  });

  it('releases the idempotency keys of dropped facts', () => {
    const { store } = newStore();
    store.setRetention('s', { strategy: 'ephemeral' });
    store.write({ store: 's', key: 'k', value: 1, idempotencyKey: 'req-1' });
    store.write({ store: 's', key: 'k', value: 2 });
    store.compact();
    const again = store.write({ store: 's', key: 'k', value: 3, idempotencyKey: 'req-1' });
    expect(again.value).toBe(3);
    expect(store.read({ store: 's', key: 'k' })).toBe(3);
  });

  it('reports compactions in compactionActivity, filterable by store', () => {
    const { store, set } = newStore();
    store.setRetention('alpha', { strategy: 'ephemeral' });
    store.setRetention('beta', { strategy: 'ephemeral' });
    for (const s of ['alpha', 'beta']) {
      store.write({ store: s, key: 'k', value: 1 });
      store.write({ store: s, key: 'k', value: 2 });
    }
    set(20_000);
    const results = store.compact();
    expect(store.compactionActivity({ store: 'alpha' })).toEqual([
      {
        kind: 'retention_compaction',
        executor: 'store_compact',
        store: 'alpha',
        status: 'ok',
        reason: 'ephemeral',
        factCount: 1,
        receiptId: results[0]?.receiptId,
        occurredAt: 20_000,
      },
    ]);
    expect(store.compactionActivity().map((e) => e.store)).toEqual(['alpha', 'beta']);
  });
});
