import { describe, expect, it } from 'vitest';
import type { Fact, IgniterError, Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend } from './support/memory-backend.js';
import { newStore } from './support/store.js';

const count = (facts: Fact[]): Json => ({ count: facts.length });

describe(`rules that see the past (${ENGINE_KIND} engine)`, () => {
  it('indexes the facts already in the store when a relation is registered', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { project: 'p1' } });
    store.write({ store: 'tasks', key: 't2', value: { project: 'p2' } });
    store.write({ store: 'tasks', key: 't3', value: { project: 'p1' } });
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    expect(store.resolve('project_tasks', { from: 'p1' })).toEqual([{ project: 'p1' }, { project: 'p1' }]);
    expect(store.read({ store: '__rel_project_tasks', key: 'p1' })).toEqual({
      keys: ['t1', 't3'],
      count: 2,
      partitionValue: 'p1',
    });
  });

  it('resolves facts indexed at registration as of a time before it', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 'tasks', key: 't1', value: { project: 'p1' } });
    time.set(5_000);
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    expect(store.resolve('project_tasks', { from: 'p1', asOf: 2_000 })).toEqual([{ project: 'p1' }]);
    expect(store.resolve('project_tasks', { from: 'p1', asOf: 500 })).toEqual([]);
  });

  it('writes one index fact per partition value when it indexes earlier facts', () => {
    const { store } = newStore();
    for (let i = 0; i < 50; i += 1)
      store.write({ store: 'tasks', key: `t${i}`, value: { project: `p${i % 2}` } });
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    expect(
      store
        .history({ store: '__rel_project_tasks' })
        .map((f) => [f.key, (f.value as { count: number }).count]),
    ).toEqual([
      ['p0', 25],
      ['p1', 25],
    ]);
  });

  it('extends an index kept by an earlier open with the facts written while it was not registered', () => {
    const backend = new MemoryBackend();
    const relation = { source: 'tasks', partition: 'project', target: 'projects' };
    const first = newStore({ backend }).store;
    first.registerRelation('project_tasks', relation);
    first.write({ store: 'tasks', key: 't1', value: { project: 'p1' } });
    const reopened = new MemoryBackend(backend.facts);
    newStore({ backend: reopened }).store.write({ store: 'tasks', key: 't2', value: { project: 'p1' } });
    const third = newStore({ backend: new MemoryBackend(reopened.facts) }).store;
    third.registerRelation('project_tasks', relation);
    expect(third.read({ store: '__rel_project_tasks', key: 'p1' })).toEqual({
      keys: ['t1', 't2'],
      count: 2,
      partitionValue: 'p1',
    });
    expect(third.history({ store: '__rel_project_tasks', key: 'p1' })).toHaveLength(2);
  });

  it('writes nothing when the same relation is registered again over an indexed store', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { project: 'p1' } });
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    const facts = store.factCount();
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    expect(store.factCount()).toBe(facts);
  });

  it('runs a derivation once over the current matching facts with backfill', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'done' } });
    const last = store.write({ store: 'tasks', key: 't3', value: { status: 'open' } });
    store.registerDerivation({
      name: 'open',
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'stats',
      targetKey: 'open',
      rule: count,
      backfill: true,
    });
    const derived = store.history({ store: 'stats', key: 'open' });
    expect(derived.map((f) => f.value)).toEqual([{ count: 2 }]);
    expect(derived[0]?.derivation).toEqual({
      rule: 'open',
      sourceStore: 'tasks',
      sourceKey: 't3',
      sourceFactId: last.id,
      origin: 'backfill',
    });
    expect(store.ruleStatus()[0]).toMatchObject({ written: 1, lastSourceSeq: last.seq });
  });

  it('writes nothing for a derivation backfill when no fact matches', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    store.registerDerivation({
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'stats',
      targetKey: 'open',
      rule: count,
      backfill: true,
    });
    expect(store.factCount()).toBe(1);
  });

  it('runs nothing over earlier facts without backfill', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    store.registerScatter({
      sourceStore: 'tasks',
      partitionBy: 'owner',
      targetStore: 'byOwner',
      rule: () => ({ seen: true }),
    });
    expect(store.factCount()).toBe(1);
  });

  it('runs a scatter over the latest fact of every key, in seq order, with backfill', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', n: 1 } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'bob', n: 2 } });
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', n: 3 } });
    const seen: string[] = [];
    store.registerScatter({
      sourceStore: 'tasks',
      partitionBy: 'owner',
      targetStore: 'byOwner',
      backfill: true,
      rule: (_owner, existing, fact) => {
        seen.push(`${fact.key}@${fact.seq}`);
        return {
          sum: ((existing as { sum?: number } | undefined)?.sum ?? 0) + (fact.value as { n: number }).n,
        };
      },
    });
    expect(seen).toEqual(['t2@2', 't1@3']);
    expect(store.read({ store: 'byOwner', key: 'ada' })).toEqual({ sum: 3 });
    expect(store.read({ store: 'byOwner', key: 'bob' })).toEqual({ sum: 2 });
  });

  it('applies the error policy to a failing backfill', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'bob' } });
    store.registerScatter({
      name: 'fragile',
      sourceStore: 'tasks',
      partitionBy: 'owner',
      targetStore: 'byOwner',
      backfill: true,
      onError: 'stop',
      rule: () => {
        throw new Error('boom');
      },
    });
    expect(errors.map((e) => e.details?.sourceFactId)).toEqual([bad.id]);
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'stopped', failures: 1 });
  });

  it('runs a projection over the latest facts of all its stores, in seq order, with backfill', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { title: 'a' } });
    store.write({ store: 'notes', key: 'n1', value: { title: 'b' } });
    store.registerProjection({
      name: 'feed',
      reads: ['tasks', 'notes'],
      targetStore: 'feeds',
      targetKey: 'all',
      backfill: true,
      rule: (existing, fact) => [...((existing as string[] | undefined) ?? []), `${fact.store}/${fact.key}`],
    });
    expect(store.read({ store: 'feeds', key: 'all' })).toEqual(['tasks/t1', 'notes/n1']);
  });

  it('names the rule that wrote a derived key in its lineage', () => {
    const { store } = newStore();
    store.registerDerivation({
      name: 'open-count',
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'stats',
      targetKey: 'open',
      rule: count,
    });
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    expect(store.lineage({ store: 'stats', key: 'open' }).derivedBy).toStrictEqual([
      {
        rule: 'open-count',
        kind: 'derivation',
        sourceStore: 'tasks',
        targetStore: 'stats',
        targetKey: 'open',
        sourceFilters: { status: 'open' },
      },
    ]);
  });

  it('names every rule that wrote a key, in the order they first wrote it, also unregistered ones', () => {
    const { store } = newStore();
    store.registerScatter({
      name: 'by-owner',
      sourceStore: 'tasks',
      partitionBy: 'owner',
      targetStore: 'people',
      rule: () => ({ hasTasks: true }),
    });
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    store.write({
      store: 'people',
      key: 'ada',
      value: { imported: true },
      producer: { kind: 'projection', rule: 'crm-import' },
      derivation: { rule: 'crm-import', sourceStore: 'crm', sourceKey: 'c1', sourceFactId: 'x' },
    });
    expect(
      store.lineage({ store: 'people', key: 'ada' }).derivedBy.map((d) => [d.rule, d.kind, d.sourceStore]),
    ).toEqual([
      ['by-owner', 'scatter', 'tasks'],
      ['crm-import', 'projection', 'crm'],
    ]);
  });

  it('links a derived fact by causation to the previous fact of its target key, not to its source', () => {
    const { store } = newStore();
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'all', rule: count });
    const s1 = store.write({ store: 'tasks', key: 't1', value: {} });
    const s2 = store.write({ store: 'tasks', key: 't2', value: {} });
    const [d1, d2] = store.history({ store: 'stats', key: 'all' });
    expect([d1?.causation, d2?.causation]).toEqual([null, d1?.id]);
    expect([d1?.derivation?.sourceFactId, d2?.derivation?.sourceFactId]).toEqual([s1.id, s2.id]);
  });
});
