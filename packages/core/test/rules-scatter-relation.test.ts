import { describe, expect, it } from 'vitest';
import { type IgniterError, IgniterStore, type Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';

function newStore(): { store: IgniterStore; errors: IgniterError[]; tick: (ms: number) => number } {
  const errors: IgniterError[] = [];
  let now = 1_000;
  const store = new IgniterStore({ clock: () => now, onRuleError: (e) => errors.push(e) });
  return {
    store,
    errors,
    tick: (ms) => {
      now += ms;
      return now;
    },
  };
}

const counter = (_pv: Json, existing: Json | undefined): Json => ({
  count: ((existing as { count?: number } | undefined)?.count ?? 0) + 1,
});

describe(`scatters (${ENGINE_KIND} engine)`, () => {
  it('writes one target entry per partition value', () => {
    const { store } = newStore();
    store.registerScatter({
      sourceStore: 'comments',
      partitionBy: 'articleId',
      targetStore: 'byArticle',
      rule: counter,
    });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1' } });
    store.write({ store: 'comments', key: 'c2', value: { articleId: 'a1' } });
    store.write({ store: 'comments', key: 'c3', value: { articleId: 'a2' } });
    expect(store.read({ store: 'byArticle', key: 'a1' })).toEqual({ count: 2 });
    expect(store.read({ store: 'byArticle', key: 'a2' })).toEqual({ count: 1 });
    expect(store.factCount()).toBe(6);
  });

  it('gives the rule the partition value, the existing target value and the source fact', () => {
    const { store } = newStore();
    const calls: unknown[] = [];
    store.registerScatter({
      sourceStore: 'comments',
      partitionBy: 'articleId',
      targetStore: 'byArticle',
      rule: (pv, existing, fact) => {
        calls.push([pv, existing, fact.key]);
        return { seen: true };
      },
    });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1' } });
    store.write({ store: 'comments', key: 'c2', value: { articleId: 'a1' } });
    expect(calls).toEqual([
      ['a1', undefined, 'c1'],
      ['a1', { seen: true }, 'c2'],
    ]);
  });

  it('names the target key by the JSON text of a non-string partition value', () => {
    const { store } = newStore();
    store.registerScatter({
      sourceStore: 'orders',
      partitionBy: 'customer',
      targetStore: 'byCustomer',
      rule: counter,
    });
    store.write({ store: 'orders', key: 'o1', value: { customer: 42 } });
    expect(store.read({ store: 'byCustomer', key: '42' })).toEqual({ count: 1 });
  });

  it('skips facts without the partition field, with a null one, and non-object values', () => {
    const { store, errors } = newStore();
    store.registerScatter({
      sourceStore: 'events',
      partitionBy: 'userId',
      targetStore: 'byUser',
      rule: counter,
    });
    store.write({ store: 'events', key: 'e1', value: { type: 'x' } });
    store.write({ store: 'events', key: 'e2', value: { userId: null } });
    store.write({ store: 'events', key: 'e3', value: 'plain' });
    store.write({ store: 'events', key: 'e4', value: { userId: 'u1' } });
    expect(store.history({ store: 'byUser' }).map((f) => [f.key, f.value])).toEqual([['u1', { count: 1 }]]);
    expect(errors).toEqual([]);
  });

  it('skips the write when the rule returns null', () => {
    const { store } = newStore();
    store.registerScatter({
      sourceStore: 'comments',
      partitionBy: 'a',
      targetStore: 'idx',
      rule: () => null,
    });
    store.write({ store: 'comments', key: 'c1', value: { a: 'x' } });
    expect(store.factCount()).toBe(1);
  });

  it('runs once per outer write when the target is its own source', () => {
    const { store } = newStore();
    let calls = 0;
    store.registerScatter({
      sourceStore: 'index',
      partitionBy: 'p',
      targetStore: 'index',
      rule: () => {
        calls += 1;
        return { p: 'again' };
      },
    });
    store.write({ store: 'index', key: 'k', value: { p: 'x' } });
    expect(calls).toBe(1);
    expect(store.factCount()).toBe(2);
  });

  it('chains causation between successive index facts and records provenance', () => {
    const { store } = newStore();
    store.registerScatter({ sourceStore: 'comments', partitionBy: 'a', targetStore: 'idx', rule: counter });
    const c1 = store.write({ store: 'comments', key: 'c1', value: { a: 'x' } });
    store.write({ store: 'comments', key: 'c2', value: { a: 'x' } });
    const [first, second] = store.history({ store: 'idx', key: 'x' });
    expect(second?.causation).toBe(first?.id);
    expect(first?.derivation).toEqual({
      rule: 'comments->idx by a',
      sourceStore: 'comments',
      sourceKey: 'c1',
      sourceFactId: c1.id,
    });
    expect(first?.producer).toEqual({ kind: 'scatter', rule: 'comments->idx by a' });
  });

  it('reports a throwing scatter rule and still runs derivations', () => {
    const { store, errors } = newStore();
    store.registerScatter({
      sourceStore: 'comments',
      partitionBy: 'a',
      targetStore: 'idx',
      rule: () => {
        throw new Error('bad scatter');
      },
    });
    store.registerDerivation({
      sourceStore: 'comments',
      targetStore: 'totals',
      targetKey: 'all',
      rule: (facts) => ({ total: facts.length }),
    });
    const fact = store.write({ store: 'comments', key: 'c1', value: { a: 'x' } });
    expect(store.read({ store: 'totals', key: 'all' })).toEqual({ total: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.details).toEqual({
      kind: 'scatter',
      store: 'comments',
      key: 'c1',
      sourceFactId: fact.id,
      rule: 'comments->idx by a',
    });
  });
});

describe(`relations (${ENGINE_KIND} engine)`, () => {
  function withRelation(): ReturnType<typeof newStore> {
    const setup = newStore();
    setup.store.registerRelation('article_comments', {
      source: 'comments',
      partition: 'articleId',
      target: 'articles',
    });
    return setup;
  }

  it('resolves nothing before any write and for an unknown partition', () => {
    const { store } = withRelation();
    expect(store.resolve('article_comments', { from: 'a1' })).toEqual([]);
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'Hello' } });
    expect(store.resolve('article_comments', { from: 'a99' })).toEqual([]);
  });

  it('resolves the current values of the related source keys in first-indexed order', () => {
    const { store } = withRelation();
    store.write({ store: 'comments', key: 'c2', value: { articleId: 'a1', body: 'First' } });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'Second' } });
    store.write({ store: 'comments', key: 'c3', value: { articleId: 'a2', body: 'Other' } });
    expect(store.resolve('article_comments', { from: 'a1' })).toEqual([
      { articleId: 'a1', body: 'First' },
      { articleId: 'a1', body: 'Second' },
    ]);
    expect(store.resolve('article_comments', { from: 'a2' })).toEqual([{ articleId: 'a2', body: 'Other' }]);
  });

  it('keeps the index value as a grow-only set of keys and writes it only when it grows', () => {
    const { store } = withRelation();
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'v1' } });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'v2' } });
    store.write({ store: 'comments', key: 'c2', value: { articleId: 'a1', body: 'x' } });
    expect(store.read({ store: '__rel_article_comments', key: 'a1' })).toEqual({
      keys: ['c1', 'c2'],
      count: 2,
      partitionValue: 'a1',
    });
    const chain = store.causationChain({ store: '__rel_article_comments', key: 'a1' });
    expect(chain).toHaveLength(2);
    expect(chain[1]?.causation).toBe(chain[0]?.id);
    expect(store.resolve('article_comments', { from: 'a1' })).toEqual([
      { articleId: 'a1', body: 'v2' },
      { articleId: 'a1', body: 'x' },
    ]);
  });

  it('does not return a key under a partition its value has left', () => {
    const { store } = withRelation();
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1' } });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a2' } });
    expect(store.resolve('article_comments', { from: 'a1' })).toEqual([]);
    expect(store.resolve('article_comments', { from: 'a2' })).toEqual([{ articleId: 'a2' }]);
  });

  it('resolves as of a time consistently for the index and the source values', () => {
    const { store, tick } = withRelation();
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'Early' } });
    const checkpoint = tick(10);
    tick(10);
    store.write({ store: 'comments', key: 'c2', value: { articleId: 'a1', body: 'Late' } });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', body: 'Edited' } });
    expect(store.resolve('article_comments', { from: 'a1', asOf: checkpoint })).toEqual([
      { articleId: 'a1', body: 'Early' },
    ]);
    expect(store.resolve('article_comments', { from: 'a1' })).toHaveLength(2);
    expect(store.resolve('article_comments', { from: 'a1', asOf: 500 })).toEqual([]);
  });

  it('applies the source store coercion to resolved values', () => {
    const { store } = withRelation();
    store.registerCoercion('comments', (value) => ({ ...(value as object), coerced: true }));
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1' } });
    expect(store.resolve('article_comments', { from: 'a1' })).toEqual([{ articleId: 'a1', coerced: true }]);
  });

  it('is idempotent when the same relation is registered twice', () => {
    const { store } = withRelation();
    store.registerRelation('article_comments', {
      source: 'comments',
      partition: 'articleId',
      target: 'articles',
    });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1' } });
    expect(store.factCount()).toBe(2);
    expect(() =>
      store.registerRelation('article_comments', {
        source: 'comments',
        partition: 'userId',
        target: 'users',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('throws ERR_NO_RELATION for an unknown relation', () => {
    const { store } = newStore();
    expect(() => store.resolve('nope', { from: 'a1' })).toThrow(
      expect.objectContaining({ code: 'ERR_NO_RELATION' }),
    );
  });

  it('keeps two relations on one source apart', () => {
    const { store } = withRelation();
    store.registerRelation('user_comments', { source: 'comments', partition: 'userId', target: 'users' });
    store.write({ store: 'comments', key: 'c1', value: { articleId: 'a1', userId: 'u1' } });
    expect(store.resolve('article_comments', { from: 'a1' })).toHaveLength(1);
    expect(store.resolve('user_comments', { from: 'u1' })).toHaveLength(1);
    expect(store.schemaGraph.relationSnapshot()).toEqual({
      article_comments: {
        name: 'article_comments',
        source: 'comments',
        partition: 'articleId',
        target: 'articles',
        indexStore: '__rel_article_comments',
      },
      user_comments: {
        name: 'user_comments',
        source: 'comments',
        partition: 'userId',
        target: 'users',
        indexStore: '__rel_user_comments',
      },
    });
  });
});

describe(`projections (${ENGINE_KIND} engine)`, () => {
  it('registers projections as metadata in the schema graph snapshot', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'tracker_view',
      reads: ['trackers', 'tracker_logs'],
      relations: ['x'],
      consumerHint: 'contract_node',
      reactive: true,
    });
    expect(store.schemaGraph.projectionSnapshot()).toEqual({
      tracker_view: {
        name: 'tracker_view',
        reads: ['trackers', 'tracker_logs'],
        relations: ['x'],
        consumerHint: 'contract_node',
        reactive: true,
        storeCount: 2,
        relationCount: 1,
      },
    });
    expect(store.schemaGraph.projectionsForStore('tracker_logs').map((p) => p.name)).toEqual([
      'tracker_view',
    ]);
  });
});
