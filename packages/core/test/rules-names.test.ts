import { describe, expect, it } from 'vitest';
import type { Fact, Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { logShape, newStore, thrown } from './support/store.js';

const count = (facts: Fact[]): Json => ({ count: facts.length });
const tally = (_pv: Json, existing: Json | undefined): Json => ({
  n: ((existing as { n?: number } | undefined)?.n ?? 0) + 1,
});

describe(`rule names (${ENGINE_KIND} engine)`, () => {
  it('generates a name for every kind of rule and lists them in registration order', () => {
    const { store } = newStore();
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'all', rule: count });
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: () => 'k',
      rule: count,
    });
    store.registerScatter({
      sourceStore: 'tasks',
      partitionBy: 'owner',
      targetStore: 'byOwner',
      rule: tally,
    });
    store.registerRelation('owner_tasks', { source: 'tasks', partition: 'owner', target: 'owners' });
    store.registerProjection({
      reads: ['tasks', 'notes'],
      targetStore: 'feed',
      targetKey: 'latest',
      rule: (_existing, fact) => fact.key,
    });
    expect(store.ruleStatus().map((r) => [r.name, r.kind, r.target])).toEqual([
      ['tasks->stats/all', 'derivation', 'stats'],
      ['tasks->stats/callable', 'derivation', 'stats'],
      ['tasks->byOwner by owner', 'scatter', 'byOwner'],
      ['owner_tasks', 'relation', '__rel_owner_tasks'],
      ['tasks+notes->feed', 'projection', 'feed'],
    ]);
  });

  it('numbers a generated name that is already taken', () => {
    const { store } = newStore();
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'all', rule: count });
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'all', rule: count });
    expect(store.ruleStatus().map((r) => r.name)).toEqual(['tasks->stats/all', 'tasks->stats/all #2']);
  });

  it('refuses a name another rule of any kind holds, changing nothing', () => {
    const { store } = newStore();
    store.registerRelation('shared', { source: 'tasks', partition: 'owner', target: 'owners' });
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    const before = logShape(store);
    const error = thrown(() =>
      store.registerDerivation({
        name: 'shared',
        sourceStore: 'tasks',
        targetStore: 'stats',
        targetKey: 'all',
        rule: count,
        backfill: true,
      }),
    );
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { name: 'shared' }]);
    expect(logShape(store)).toEqual(before);
    expect(store.ruleStatus().map((r) => r.name)).toEqual(['shared']);
    store.write({ store: 'tasks', key: 't2', value: { owner: 'bob' } });
    expect(store.read({ store: 'stats', key: 'all' })).toBeUndefined();
  });

  it('refuses a relation under the name of a derivation', () => {
    const { store } = newStore();
    store.registerDerivation({ name: 'r', sourceStore: 'a', targetStore: 'b', targetKey: 'k', rule: count });
    expect(thrown(() => store.registerRelation('r', { source: 'a', partition: 'p', target: 'c' })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('refuses a running projection under the name of a metadata projection', () => {
    const { store } = newStore();
    store.registerProjection({ name: 'board', reads: ['tasks'] });
    const error = thrown(() =>
      store.registerProjection({
        name: 'board',
        reads: ['tasks'],
        targetStore: 'boards',
        targetKey: 'main',
        rule: () => 1,
      }),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(store.ruleStatus()).toEqual([]);
  });

  it('lets a metadata projection be registered again under its name, as before', () => {
    const { store } = newStore();
    store.registerProjection({ name: 'board', reads: ['tasks'] });
    store.registerProjection({ name: 'board', reads: ['tasks', 'notes'] });
    expect(store.schemaGraph.projectionFor('board')?.reads).toEqual(['tasks', 'notes']);
  });

  it('names the rule in derivation.rule and producer.rule of the facts it writes', () => {
    const { store } = newStore();
    store.registerDerivation({
      name: 'open-count',
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: 'open',
      rule: count,
    });
    const source = store.write({ store: 'tasks', key: 't1', value: { title: 'a' } });
    const [derived] = store.history({ store: 'stats', key: 'open' });
    expect(derived?.producer).toEqual({ kind: 'derivation', rule: 'open-count' });
    expect(derived?.derivation).toEqual({
      rule: 'open-count',
      sourceStore: 'tasks',
      sourceKey: 't1',
      sourceFactId: source.id,
    });
  });

  it('names a relation index fact by the relation name', () => {
    const { store } = newStore();
    store.registerRelation('owner_tasks', { source: 'tasks', partition: 'owner', target: 'owners' });
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    const [entry] = store.history({ store: '__rel_owner_tasks', key: 'ada' });
    expect(entry?.producer).toEqual({ kind: 'relation', rule: 'owner_tasks' });
    expect(entry?.derivation?.rule).toBe('owner_tasks');
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a non-string name', { name: 7 }],
    ['an unknown onError', { onError: 'retry' }],
    ['a non-boolean backfill', { backfill: 'yes' }],
  ])('refuses %s', (_what, extra) => {
    const { store } = newStore();
    const error = thrown(() =>
      store.registerScatter({
        sourceStore: 'a',
        partitionBy: 'p',
        targetStore: 'b',
        rule: tally,
        ...(extra as object),
      }),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(store.ruleStatus()).toEqual([]);
  });

  it('refuses onError or backfill on a metadata-only projection', () => {
    const { store } = newStore();
    expect(thrown(() => store.registerProjection({ name: 'p', reads: ['a'], backfill: true })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('refuses a projection with neither a name nor a store it reads', () => {
    const { store } = newStore();
    expect(thrown(() => store.registerProjection({ reads: [] })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses a running projection without its rule', () => {
    const { store } = newStore();
    expect(
      thrown(() => store.registerProjection({ name: 'p', reads: ['a'], targetStore: 'b', targetKey: 'k' }))
        .code,
    ).toBe('ERR_INVALID_ARGUMENT');
  });
});
