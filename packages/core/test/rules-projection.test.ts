import { describe, expect, it } from 'vitest';
import type { IgniterError, Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

const countUp = (existing: Json | undefined): Json => ((existing as number | undefined) ?? 0) + 1;

describe(`running projections (${ENGINE_KIND} engine)`, () => {
  it('folds every fact of each store it reads into the key its targetKey picks', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'per-owner',
      reads: ['tasks', 'notes'],
      targetStore: 'activity',
      targetKey: (fact) => (fact.value as { owner: string }).owner,
      rule: countUp,
    });
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    store.write({ store: 'notes', key: 'n1', value: { owner: 'ada' } });
    store.write({ store: 'notes', key: 'n2', value: { owner: 'bob' } });
    store.write({ store: 'other', key: 'x', value: { owner: 'ada' } });
    expect(store.read({ store: 'activity', key: 'ada' })).toBe(2);
    expect(store.read({ store: 'activity', key: 'bob' })).toBe(1);
  });

  it('gives the rule the current target value and the source fact', () => {
    const { store } = newStore();
    const calls: Array<[Json | undefined, string]> = [];
    store.registerProjection({
      name: 'log',
      reads: ['tasks'],
      targetStore: 'logs',
      targetKey: 'all',
      rule: (existing, fact) => {
        calls.push([existing, fact.key]);
        return fact.key;
      },
    });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't2', value: 2 });
    expect(calls).toEqual([
      [undefined, 't1'],
      ['t1', 't2'],
    ]);
  });

  it('skips a fact whose target key is null and a write whose value is null', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'odd',
      reads: ['n'],
      targetStore: 'odds',
      targetKey: (fact) => ((fact.value as number) % 2 === 1 ? 'odd' : null),
      rule: (existing, fact) => ((fact.value as number) > 5 ? null : countUp(existing)),
    });
    for (const value of [1, 2, 3, 7]) store.write({ store: 'n', key: `k${value}`, value });
    expect(store.history({ store: 'odds' }).map((f) => f.value)).toEqual([1, 2]);
  });

  it('writes derived facts with the projection as producer and provenance', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'p',
      reads: ['tasks'],
      targetStore: 'out',
      targetKey: 'k',
      rule: countUp,
    });
    const source = store.write({ store: 'tasks', key: 't1', value: {} });
    const [fact] = store.history({ store: 'out' });
    expect([fact?.producer, fact?.derivation]).toEqual([
      { kind: 'projection', rule: 'p' },
      { rule: 'p', sourceStore: 'tasks', sourceKey: 't1', sourceFactId: source.id },
    ]);
  });

  it('does not run a projection on a fact another projection is writing', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'first',
      reads: ['a'],
      targetStore: 'b',
      targetKey: 'k',
      rule: countUp,
    });
    store.registerProjection({
      name: 'second',
      reads: ['b'],
      targetStore: 'c',
      targetKey: 'k',
      rule: countUp,
    });
    store.write({ store: 'a', key: 'x', value: 1 });
    expect(store.read({ store: 'b', key: 'k' })).toBe(1);
    expect(store.read({ store: 'c', key: 'k' })).toBeUndefined();
    store.write({ store: 'b', key: 'user', value: 1 });
    expect(store.read({ store: 'c', key: 'k' })).toBe(1);
  });

  it('reports a target key that is not a valid name as the rule failing', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    store.registerProjection({
      name: 'bad-key',
      reads: ['a'],
      targetStore: 'b',
      targetKey: () => '',
      rule: countUp,
    });
    store.write({ store: 'a', key: 'x', value: 1 });
    expect(errors.map((e) => [e.code, e.details?.kind, e.details?.rule])).toEqual([
      ['ERR_RULE_FAILED', 'projection', 'bad-key'],
    ]);
  });

  it('lists a running projection in the projection snapshot like a metadata one', () => {
    const { store } = newStore();
    store.registerProjection({
      name: 'board',
      reads: ['tasks'],
      reactive: true,
      targetStore: 'boards',
      targetKey: 'main',
      rule: countUp,
    });
    expect(store.schemaGraph.projectionSnapshot().board).toEqual({
      name: 'board',
      reads: ['tasks'],
      relations: [],
      consumerHint: null,
      reactive: true,
      storeCount: 1,
      relationCount: 0,
    });
  });
});
