import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

describe(`retention read-backs (${ENGINE_KIND} engine)`, () => {
  it('retentionFor returns the policy set for a store', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'rolling_window', duration: 60_000 });
    expect(store.retentionFor('sensors')).toEqual({ strategy: 'rolling_window', duration: 60_000 });
  });

  it('retentionFor is undefined for a store without a policy', () => {
    const { store } = newStore();
    expect(store.retentionFor('sensors')).toBeUndefined();
  });

  it('retentionFor returns a copy the caller cannot use to change the policy', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const policy = store.retentionFor('sensors') as { strategy: string };
    policy.strategy = 'permanent';
    expect(store.retentionFor('sensors')).toEqual({ strategy: 'ephemeral' });
  });

  it('retentionSnapshot lists every policy by store, a replaced one as it now is', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.setRetention('logs', { strategy: 'rolling_window', duration: 1000 });
    store.setRetention('sensors', { strategy: 'permanent' });
    expect(store.retentionSnapshot()).toEqual({
      sensors: { strategy: 'permanent' },
      logs: { strategy: 'rolling_window', duration: 1000 },
    });
    expect(Object.keys(store.retentionSnapshot())).toEqual(['sensors', 'logs']);
  });

  it('retentionFor refuses a store name that is not a name', () => {
    const { store } = newStore();
    expect(thrown(() => store.retentionFor('')).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('purgeSegments refuses an in-memory store: it has no segments', () => {
    const { store } = newStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const error = thrown(() => store.purgeSegments());
    expect([error.code, error.message]).toEqual([
      'ERR_INVALID_ARGUMENT',
      'purgeSegments needs a backend with segments (SegmentedFileBackend); compact() applies retention to any store',
    ]);
  });
});

describe(`scatter read-backs (${ENGINE_KIND} engine)`, () => {
  it("scatterSnapshot lists a relation's scatter into its index store", () => {
    const { store } = newStore();
    store.registerScatter({
      sourceStore: 'comments',
      partitionBy: 'author',
      targetStore: 'byAuthor',
      rule: () => 1,
    });
    store.registerRelation('article_comments', {
      source: 'comments',
      partition: 'articleId',
      target: 'articles',
    });
    expect(store.schemaGraph.scatterSnapshot()).toEqual([
      {
        name: 'comments->byAuthor by author',
        sourceStore: 'comments',
        partitionBy: 'author',
        targetStore: 'byAuthor',
      },
      {
        name: 'relation:article_comments',
        sourceStore: 'comments',
        partitionBy: 'articleId',
        targetStore: '__rel_article_comments',
      },
    ]);
  });

  it('lists a relation registered twice with the same definition once', () => {
    const { store } = newStore();
    const relation = { source: 'comments', partition: 'articleId', target: 'articles' };
    store.registerRelation('article_comments', relation);
    store.registerRelation('article_comments', relation);
    expect(store.schemaGraph.scatterSnapshot()).toHaveLength(1);
  });
});
