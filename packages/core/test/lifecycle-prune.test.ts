import { describe, expect, it } from 'vitest';
import { type Backend, type Fact, IgniterStore } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';

function newStore(): { store: IgniterStore; set: (ms: number) => void } {
  let now = 50_000;
  const store = new IgniterStore({ clock: () => now });
  return {
    store,
    set: (ms) => {
      now = ms;
    },
  };
}

class AppendOnlyBackend implements Backend {
  readonly written: Fact[] = [];
  replay(): Iterable<Fact> {
    return [];
  }
  writeFact(fact: Fact): void {
    this.written.push(fact);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

describe(`exact prune (${ENGINE_KIND} engine)`, () => {
  it('removes exactly the given facts and reports their references', () => {
    const { store } = newStore();
    const keep = store.write({ store: 'docs', key: 'keep', value: { body: 'a' } });
    const drop = store.write({ store: 'docs', key: 'drop', value: { body: 'secret' } });
    const result = store.pruneFactIds({ factIds: [drop.id], reason: 'gdpr' });
    expect(result).toEqual({
      status: 'ok',
      receiptId: expect.any(String),
      prunedCount: 1,
      missingCount: 0,
      prunedFactRefs: [
        {
          id: drop.id,
          store: 'docs',
          key: 'drop',
          transactionTime: drop.transactionTime,
          validTime: null,
          valueHash: drop.valueHash,
        },
      ],
      missingIds: [],
    });
    expect(store.factById(drop.id)).toBeUndefined();
    expect(store.read({ store: 'docs', key: 'drop' })).toBeUndefined();
    expect(store.history({ store: 'docs', key: 'drop' })).toEqual([]);
    expect(store.read({ store: 'docs', key: 'keep' })).toEqual({ body: 'a' });
    expect(store.factById(keep.id)).toEqual(keep);
  });

  it('writes a receipt of references only, with reason and metadata, into the receipt store', () => {
    const { store, set } = newStore();
    const drop = store.write({ store: 'docs', key: 'k', value: { body: 'secret' } });
    set(60_000);
    const result = store.pruneFactIds({
      factIds: [drop.id, 'nonexistent-id'],
      reason: 'boundary_physical_purge',
      metadata: { source: 'test' },
      receiptStore: '__audit',
    });
    expect(result).toMatchObject({ prunedCount: 1, missingCount: 1, missingIds: ['nonexistent-id'] });
    const receipt = store.factById((result as { receiptId: string }).receiptId);
    expect(receipt?.store).toBe('__audit');
    expect(receipt?.value).toEqual({
      type: 'fact_prune_receipt',
      reason: 'boundary_physical_purge',
      requestedCount: 2,
      prunedCount: 1,
      missingCount: 1,
      prunedFactRefs: [
        {
          id: drop.id,
          store: 'docs',
          key: 'k',
          transactionTime: drop.transactionTime,
          validTime: null,
          valueHash: drop.valueHash,
        },
      ],
      missingIds: ['nonexistent-id'],
      metadata: { source: 'test' },
      prunedAt: 60_000,
    });
    expect(JSON.stringify(receipt?.value)).not.toContain('secret');
  });

  it('is a no-op for an empty id list: no receipt, no activity', () => {
    const { store } = newStore();
    store.write({ store: 'docs', key: 'k', value: 1 });
    expect(store.pruneFactIds({ factIds: [], reason: 'nothing' })).toEqual({
      status: 'ok',
      receiptId: null,
      prunedCount: 0,
      missingCount: 0,
      prunedFactRefs: [],
      missingIds: [],
    });
    expect(store.factCount()).toBe(1);
    expect(store.compactionActivity()).toEqual([]);
  });

  it('makes the previous fact of a key its latest when the latest is pruned', () => {
    const { store } = newStore();
    store.registerPath({ store: 'docs', scope: 'pub', filters: { pub: true } });
    store.write({ store: 'docs', key: 'k', value: { pub: true, v: 1 } });
    const second = store.write({ store: 'docs', key: 'k', value: { pub: false, v: 2 } });
    expect(store.query({ store: 'docs', scope: 'pub' })).toEqual([]);
    store.pruneFactIds({ factIds: [second.id], reason: 'undo' });
    expect(store.read({ store: 'docs', key: 'k' })).toEqual({ pub: true, v: 1 });
    expect(store.query({ store: 'docs', scope: 'pub' }).map((f) => f.key)).toEqual(['k']);
  });

  it('never reuses the seq of a pruned fact', () => {
    const { store } = newStore();
    const last = store.write({ store: 'docs', key: 'k', value: 1 });
    const result = store.pruneFactIds({ factIds: [last.id], reason: 'r' });
    const receiptSeq = store.factById((result as { receiptId: string }).receiptId)?.seq;
    expect(receiptSeq).toBe(2);
    expect(store.write({ store: 'docs', key: 'k', value: 2 }).seq).toBe(3);
  });

  it('is unsupported, changing nothing, on a backend that cannot rewrite', () => {
    const backend = new AppendOnlyBackend();
    const store = new IgniterStore({ backend });
    const fact = store.write({ store: 'docs', key: 'k', value: 1 });
    expect(store.pruneFactIds({ factIds: [fact.id], reason: 'r' })).toEqual({
      status: 'unsupported',
      reason: 'backend_does_not_support_exact_prune',
      backend: 'AppendOnlyBackend',
    });
    expect(store.factById(fact.id)).toEqual(fact);
    expect(backend.written).toEqual([fact]);
  });

  it('rejects bad input with ERR_INVALID_ARGUMENT', () => {
    const { store } = newStore();
    for (const input of [
      { factIds: 'x', reason: 'r' },
      { factIds: [1], reason: 'r' },
      { factIds: [], reason: '' },
      { factIds: [], reason: 'r', metadata: [] },
    ]) {
      expect(() => store.pruneFactIds(input as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });

  it('lists prunes in compactionActivity with the store when all pruned facts share it', () => {
    const { store, set } = newStore();
    store.setRetention('alpha', { strategy: 'ephemeral' });
    const a1 = store.write({ store: 'alpha', key: 'k', value: 1 });
    store.write({ store: 'alpha', key: 'k', value: 2 });
    const b1 = store.write({ store: 'beta', key: 'k', value: 1 });
    const b2 = store.write({ store: 'beta', key: 'j', value: 1 });
    set(51_000);
    const compaction = store.compact()[0];
    set(52_000);
    const one = store.pruneFactIds({
      factIds: [b1.id],
      reason: 'test_prune',
      receiptStore: 'custom_receipts',
    });
    set(53_000);
    // a1 was already dropped by the compaction: it is missing, so only beta was pruned.
    const mixed = store.pruneFactIds({ factIds: [b2.id, a1.id], reason: 'mixed' });
    expect(mixed).toMatchObject({ prunedCount: 1, missingIds: [a1.id] });
    const activity = store.compactionActivity();
    expect(activity.map((e) => [e.kind, e.executor, e.store, e.reason, e.factCount, e.occurredAt])).toEqual([
      ['retention_compaction', 'store_compact', 'alpha', 'ephemeral', 1, 51_000],
      ['exact_prune', 'fact_prune', 'beta', 'test_prune', 1, 52_000],
      ['exact_prune', 'fact_prune', 'beta', 'mixed', 1, 53_000],
    ]);
    expect(activity.map((e) => e.receiptId)).toEqual([
      compaction?.receiptId,
      (one as { receiptId: string }).receiptId,
      (mixed as { receiptId: string }).receiptId,
    ]);
    expect(store.compactionActivity({ store: 'gamma' })).toEqual([]);
    expect(store.compactionActivity({ store: 'beta' }).map((e) => e.reason)).toEqual(['test_prune', 'mixed']);
  });

  it('gives a multi-store prune a null store but lists it under each store it touched', () => {
    const { store } = newStore();
    const a = store.write({ store: 'alpha', key: 'k', value: 1 });
    const b = store.write({ store: 'beta', key: 'k', value: 1 });
    store.pruneFactIds({ factIds: [a.id, b.id], reason: 'both' });
    expect(store.compactionActivity().map((e) => e.store)).toEqual([null]);
    expect(store.compactionActivity({ store: 'alpha' })).toHaveLength(1);
    expect(store.compactionActivity({ store: 'beta' })).toHaveLength(1);
  });
});
