import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

describe(`factById (${ENGINE_KIND} engine)`, () => {
  it('returns a fact equal to the one write returned', () => {
    const { store } = newStore();
    const fact = store.write({ store: 'docs', key: 'd1', value: { v: 1 } });
    expect(store.factById(fact.id)).toEqual(fact);
  });

  it('returns a fact equal to the one append returned', () => {
    const { store } = newStore();
    const fact = store.append({ history: 'logs', event: { n: 1 } });
    expect(store.factById(fact.id)).toEqual(fact);
  });

  it('indexes every fact, older versions of a key included', () => {
    const { store } = newStore();
    const facts = [1, 2, 3].map((v) => store.write({ store: 'docs', key: 'd1', value: { v } }));
    for (const fact of facts) expect(store.factById(fact.id)).toEqual(fact);
  });

  it('returns undefined for an unknown id, an empty id and values that are not strings', () => {
    const { store } = newStore();
    store.write({ store: 'docs', key: 'd1', value: 1 });
    expect(store.factById('0190d0a0-0000-7000-8000-000000000000')).toBeUndefined();
    expect(store.factById('')).toBeUndefined();
    expect(store.factById(null as unknown as string)).toBeUndefined();
    expect(store.factById(undefined as unknown as string)).toBeUndefined();
    expect(store.factById(Symbol('id') as unknown as string)).toBeUndefined();
    expect(store.factById(42 as unknown as string)).toBeUndefined();
  });

  it('does not find a fact by an id in another case', () => {
    const { store } = newStore();
    const fact = store.write({ store: 'docs', key: 'd1', value: 1 });
    expect(store.factById(fact.id.toUpperCase())).toBeUndefined();
  });

  it('resolves every id that factLogAll lists after an ephemeral compaction', () => {
    const { store } = newStore();
    store.setRetention('logs', { strategy: 'ephemeral' });
    for (const n of [1, 2, 3]) store.append({ history: 'logs', event: { n } });
    store.compact('logs');
    const all = store.factLogAll();
    expect(all.length).toBeGreaterThan(0);
    for (const fact of all) expect(store.factById(fact.id)).toEqual(fact);
  });

  it('forgets the id of a fact that compaction dropped and keeps the survivor', () => {
    const { store } = newStore();
    store.setRetention('docs', { strategy: 'ephemeral' });
    const f1 = store.write({ store: 'docs', key: 'd1', value: 1 });
    const f2 = store.write({ store: 'docs', key: 'd1', value: 2 });
    store.compact('docs');
    expect(store.factById(f1.id)).toBeUndefined();
    expect(store.factRef(f1.id)).toBeUndefined();
    expect(store.factById(f2.id)).toEqual(f2);
  });

  it('finds facts of internal stores', () => {
    const { store } = newStore();
    const fact = store.commitInternal({ store: '__receipts', key: 'r', value: 1 }, 'write');
    expect(store.factById(fact.id)).toEqual(fact);
  });
});

describe(`factRef (${ENGINE_KIND} engine)`, () => {
  it('references a fact without its value', () => {
    const { store, time } = newStore();
    time.set(3_000);
    const fact = store.write({ store: 'docs', key: 'd1', value: { big: 'payload' }, validTime: 2_000 });
    expect(store.factRef(fact.id)).toStrictEqual({
      id: fact.id,
      store: 'docs',
      key: 'd1',
      transactionTime: 3_000,
      validTime: 2_000,
      valueHash: fact.valueHash,
    });
  });

  it('returns undefined for an unknown or empty id', () => {
    const { store } = newStore();
    expect(store.factRef('nope')).toBeUndefined();
    expect(store.factRef('')).toBeUndefined();
    expect(store.factRef(null as unknown as string)).toBeUndefined();
  });
});
