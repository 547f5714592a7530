import { describe, expect, it } from 'vitest';
import { type Fact, type IgniterError, IgniterStore, type Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';

function storeWithErrors(): { store: IgniterStore; errors: IgniterError[] } {
  const errors: IgniterError[] = [];
  let now = 1_000;
  const store = new IgniterStore({ clock: () => now++, onRuleError: (e) => errors.push(e) });
  return { store, errors };
}

const count = (facts: Fact[]): Json => ({ count: facts.length });

describe(`derivations (${ENGINE_KIND} engine)`, () => {
  it('writes the rule result to the target key after a source write', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'all',
      rule: count,
    });
    store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk' } });
    expect(store.read({ store: 'summaries', key: 'all' })).toEqual({ count: 1 });
    store.write({ store: 'tasks', key: 't2', value: { title: 'Walk dog' } });
    expect(store.read({ store: 'summaries', key: 'all' })).toEqual({ count: 2 });
    expect(store.read({ store: 'tasks', key: 't1' })).toEqual({ title: 'Buy milk' });
  });

  it('counts only the latest facts that match the source filters', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'summaries',
      targetKey: 'open',
      rule: count,
    });
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'done' } });
    store.write({ store: 'tasks', key: 't3', value: { status: 'open' } });
    expect(store.read({ store: 'summaries', key: 'open' })).toEqual({ count: 2 });
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    expect(store.read({ store: 'summaries', key: 'open' })).toEqual({ count: 1 });
  });

  it('does not run for a write that neither enters nor leaves the filtered set', () => {
    const { store } = storeWithErrors();
    let runs = 0;
    store.registerDerivation({
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'summaries',
      targetKey: 'open',
      rule: (facts) => {
        runs += 1;
        return { count: facts.length };
      },
    });
    store.write({ store: 'tasks', key: 'unrelated', value: { status: 'done' } });
    expect(runs).toBe(0);
    expect(store.read({ store: 'summaries', key: 'open' })).toBeUndefined();
  });

  it('passes the matching latest facts in seq order', () => {
    const { store } = storeWithErrors();
    let seen: string[] = [];
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'order',
      rule: (facts) => {
        seen = facts.map((f) => `${f.key}@${f.seq}`);
        return null;
      },
    });
    store.write({ store: 'tasks', key: 'c', value: 1 });
    store.write({ store: 'tasks', key: 'a', value: 1 });
    store.write({ store: 'tasks', key: 'c', value: 2 });
    expect(seen).toEqual(['a@2', 'c@3']);
  });

  it('takes the target key from a function of the input facts', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: (facts) => `count_${facts.length}`,
      rule: (facts) => ({ total: facts.length }),
    });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.read({ store: 'summaries', key: 'count_1' })).toEqual({ total: 1 });
  });

  it('skips the write when the rule returns null', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'x',
      rule: () => null,
    });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.factCount()).toBe(1);
  });

  it('runs exactly once per source write and never loops on its own output', () => {
    const { store } = storeWithErrors();
    let runs = 0;
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'tasks',
      targetKey: 'derived',
      rule: () => {
        runs += 1;
        return { synthetic: true };
      },
    });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(runs).toBe(1);
    expect(store.read({ store: 'tasks', key: 'derived' })).toEqual({ synthetic: true });
    expect(store.factCount()).toBe(2);
  });

  it('runs every derivation of the source store and none of other stores', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'a', targetKey: 'k', rule: count });
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'b', targetKey: 'k', rule: count });
    store.registerDerivation({ sourceStore: 'reminders', targetStore: 'c', targetKey: 'k', rule: count });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.read({ store: 'a', key: 'k' })).toEqual({ count: 1 });
    expect(store.read({ store: 'b', key: 'k' })).toEqual({ count: 1 });
    expect(store.read({ store: 'c', key: 'k' })).toBeUndefined();
  });

  it('also runs after an append to the source store', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({ sourceStore: 'events', targetStore: 'stats', targetKey: 'n', rule: count });
    store.append({ history: 'events', event: { type: 'x' } });
    store.append({ history: 'events', event: { type: 'y' } });
    expect(store.read({ store: 'stats', key: 'n' })).toEqual({ count: 2 });
  });

  it('records provenance, a producer and the causation chain on derived facts', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'all',
      rule: count,
    });
    const source1 = store.write({ store: 'tasks', key: 't1', value: {} });
    const source2 = store.write({ store: 'tasks', key: 't2', value: {} });
    const [d1, d2] = store.history({ store: 'summaries', key: 'all' });
    expect(d1?.derivation).toEqual({
      rule: 'tasks->summaries/all',
      sourceStore: 'tasks',
      sourceKey: 't1',
      sourceFactId: source1.id,
    });
    expect(d1?.producer).toEqual({ kind: 'derivation', rule: 'tasks->summaries/all' });
    expect(d2?.derivation).toMatchObject({ sourceKey: 't2', sourceFactId: source2.id });
    expect(d1?.causation).toBeNull();
    expect(d2?.causation).toBe(d1?.id);
    expect(d2?.seq).toBe(source2.seq + 1);
  });

  it('reports a throwing rule as ERR_RULE_FAILED, keeps the source fact and runs the other rules', () => {
    const { store, errors } = storeWithErrors();
    const boom = new Error('boom');
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'a',
      targetKey: 'k',
      rule: () => {
        throw boom;
      },
    });
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'b', targetKey: 'k', rule: count });
    const fact = store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.read({ store: 'tasks', key: 't1' })).toEqual({});
    expect(store.read({ store: 'b', key: 'k' })).toEqual({ count: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'ERR_RULE_FAILED',
      cause: boom,
      details: { kind: 'derivation', store: 'tasks', key: 't1', sourceFactId: fact.id },
    });
  });

  it('reports a throwing target key function and a non-JSON result as rule failures', () => {
    const { store, errors } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'a',
      targetKey: () => {
        throw new Error('no key');
      },
      rule: count,
    });
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'b',
      targetKey: 'k',
      rule: () => ({ when: new Date(0) }) as unknown as Json,
    });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(errors.map((e) => [e.code, e.details?.kind])).toEqual([
      ['ERR_RULE_FAILED', 'derivation'],
      ['ERR_RULE_FAILED', 'derivation'],
    ]);
    expect(errors[1]?.cause).toMatchObject({ code: 'ERR_INVALID_VALUE' });
    expect(store.factCount()).toBe(1);
  });

  it('includes facts written before the derivation was registered', () => {
    const { store } = storeWithErrors();
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 's', targetKey: 'k', rule: count });
    store.write({ store: 'tasks', key: 't2', value: { status: 'open' } });
    expect(store.read({ store: 's', key: 'k' })).toEqual({ count: 2 });
  });

  it('lists derivations sourced from a store in its lineage', () => {
    const { store } = storeWithErrors();
    store.registerDerivation({
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'summaries',
      targetKey: 'open',
      rule: count,
    });
    store.registerDerivation({ sourceStore: 'tasks', targetStore: 'x', targetKey: () => 'k', rule: count });
    store.registerDerivation({ sourceStore: 'other', targetStore: 'y', targetKey: 'k', rule: count });
    expect(store.lineage({ store: 'tasks', key: 't1' }).derivedBy).toEqual([
      {
        rule: 'tasks->summaries/open',
        kind: 'derivation',
        sourceStore: 'tasks',
        targetStore: 'summaries',
        targetKey: 'open',
        sourceFilters: { status: 'open' },
      },
      {
        rule: 'tasks->x/callable',
        kind: 'derivation',
        sourceStore: 'tasks',
        targetStore: 'x',
        targetKey: 'callable',
        sourceFilters: {},
      },
    ]);
  });

  it('rejects a derivation without a rule function', () => {
    const { store } = storeWithErrors();
    expect(() =>
      store.registerDerivation({
        sourceStore: 'tasks',
        targetStore: 's',
        targetKey: 'k',
        rule: 'count' as unknown as () => null,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
