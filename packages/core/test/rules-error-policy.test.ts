import { describe, expect, it } from 'vitest';
import type { IgniterError, IgniterStore, Json, RuleErrorPolicy } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

/** A store with a scatter that throws for values marked `poison`, and the errors it reported. */
function poisoned(onError?: RuleErrorPolicy): {
  store: IgniterStore;
  errors: IgniterError[];
  calls: () => number;
} {
  const errors: IgniterError[] = [];
  const { store } = newStore({ onRuleError: (e) => errors.push(e) });
  let calls = 0;
  store.registerScatter({
    name: 'per-owner',
    sourceStore: 'tasks',
    partitionBy: 'owner',
    targetStore: 'byOwner',
    ...(onError === undefined ? {} : { onError }),
    rule: (_owner, existing, fact) => {
      calls += 1;
      if ((fact.value as { poison?: boolean }).poison) throw new Error('cannot digest');
      return { n: ((existing as { n?: number } | undefined)?.n ?? 0) + 1 };
    },
  });
  return { store, errors, calls: () => calls };
}

const statusOf = (store: IgniterStore): unknown => store.ruleStatus()[0];

describe(`rule error policies (${ENGINE_KIND} engine)`, () => {
  it("reports a failure under the default 'report', keeps the source fact and goes on", () => {
    const { store, errors } = poisoned();
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'ada' } });
    expect(store.read({ store: 'tasks', key: 't1' })).toEqual({ owner: 'ada', poison: true });
    expect(store.read({ store: 'byOwner', key: 'ada' })).toEqual({ n: 1 });
    expect(errors.map((e) => [e.code, e.details])).toEqual([
      [
        'ERR_RULE_FAILED',
        { kind: 'scatter', store: 'tasks', key: 't1', sourceFactId: bad.id, rule: 'per-owner' },
      ],
    ]);
    expect(store.history({ store: '__dead_letters' })).toEqual([]);
  });

  it("shows a 'report' rule still running after a failure, with the failure counted", () => {
    const { store } = poisoned('report');
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    const good = store.write({ store: 'tasks', key: 't2', value: { owner: 'ada' } });
    expect(statusOf(store)).toEqual({
      name: 'per-owner',
      kind: 'scatter',
      state: 'running',
      target: 'byOwner',
      lastSourceSeq: good.seq,
      written: 1,
      failures: 1,
      lag: 0,
      lastError: {
        code: 'ERR_RULE_FAILED',
        message: 'scatter "per-owner" failed for tasks/t1: cannot digest',
        sourceFactId: bad.id,
      },
    });
  });

  it("writes one dead letter for a failing source fact under 'skip' and goes on", () => {
    const { store, errors } = poisoned('skip');
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'ada' } });
    expect(errors).toHaveLength(1);
    expect(store.history({ store: '__dead_letters' }).map((f) => [f.key, f.value, f.producer])).toEqual([
      [
        bad.id,
        {
          rule: 'per-owner',
          sourceFactId: bad.id,
          store: 'tasks',
          key: 't1',
          error: {
            code: 'ERR_RULE_FAILED',
            message: 'scatter "per-owner" failed for tasks/t1: cannot digest',
          },
        },
        { kind: 'dead_letter', rule: 'per-owner' },
      ],
    ]);
    expect(store.read({ store: 'byOwner', key: 'ada' })).toEqual({ n: 1 });
    expect(statusOf(store)).toMatchObject({ state: 'running', written: 1, failures: 1, lag: 0 });
  });

  it('writes a dead letter once per rule and fact, also when a rebuild meets the fact again', async () => {
    const { store, errors } = poisoned('skip');
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    await store.rebuild('per-owner');
    expect(errors).toHaveLength(2);
    expect(store.history({ store: '__dead_letters', key: bad.id })).toHaveLength(1);
    expect(statusOf(store)).toMatchObject({ failures: 2 });
  });

  it("stops a 'stop' rule at its first failure and skips later source facts without running it", () => {
    const { store, errors, calls } = poisoned('stop');
    store.write({ store: 'tasks', key: 't0', value: { owner: 'ada' } });
    const bad = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'ada' } });
    store.write({ store: 'tasks', key: 't3', value: { owner: 'bob' } });
    expect(calls()).toBe(2);
    expect(errors).toHaveLength(1);
    expect(store.read({ store: 'byOwner', key: 'ada' })).toEqual({ n: 1 });
    expect(store.read({ store: 'byOwner', key: 'bob' })).toBeUndefined();
    expect(statusOf(store)).toEqual({
      name: 'per-owner',
      kind: 'scatter',
      state: 'stopped',
      target: 'byOwner',
      lastSourceSeq: bad.seq,
      written: 1,
      failures: 1,
      lag: 2,
      lastError: {
        code: 'ERR_RULE_FAILED',
        message: 'scatter "per-owner" failed for tasks/t1: cannot digest',
        sourceFactId: bad.id,
      },
    });
  });

  it('runs a resumed rule from the next source fact without replaying the skipped ones', () => {
    const { store } = poisoned('stop');
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    store.write({ store: 'tasks', key: 't2', value: { owner: 'bob' } });
    expect(store.resume('per-owner')).toBe(store);
    expect(statusOf(store)).toMatchObject({ state: 'running', lag: 0, failures: 1 });
    const next = store.write({ store: 'tasks', key: 't3', value: { owner: 'cyd' } });
    expect(store.read({ store: 'byOwner', key: 'bob' })).toBeUndefined();
    expect(store.read({ store: 'byOwner', key: 'cyd' })).toEqual({ n: 1 });
    expect(statusOf(store)).toMatchObject({ state: 'running', lastSourceSeq: next.seq, written: 1 });
  });

  it('stops again at the next failure after a resume, reporting it once', () => {
    const { store, errors } = poisoned('stop');
    store.write({ store: 'tasks', key: 't1', value: { owner: 'ada', poison: true } });
    store.resume('per-owner');
    store.write({ store: 'tasks', key: 't2', value: { owner: 'ada', poison: true } });
    store.write({ store: 'tasks', key: 't3', value: { owner: 'ada', poison: true } });
    expect(errors).toHaveLength(2);
    expect(statusOf(store)).toMatchObject({ state: 'stopped', failures: 2, lag: 1 });
  });

  it("keeps a stopped derivation's inputs current, so its next run after resume sees every fact", () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    store.registerDerivation({
      name: 'total',
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: 'all',
      onError: 'stop',
      rule: (facts) => {
        if (facts.some((f) => (f.value as { poison?: boolean }).poison)) throw new Error('no');
        return { count: facts.length };
      },
    });
    store.write({ store: 'tasks', key: 't1', value: { poison: true } });
    store.write({ store: 'tasks', key: 't2', value: {} });
    store.resume('total');
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.read({ store: 'stats', key: 'all' })).toEqual({ count: 2 });
  });

  it('leaves a rule that is not stopped as it is on resume', () => {
    const { store } = poisoned('stop');
    store.resume('per-owner');
    expect(statusOf(store)).toMatchObject({ state: 'running', failures: 0 });
  });

  it('refuses to resume an unknown rule', () => {
    const { store } = poisoned();
    const error = thrown(() => store.resume('nope'));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { name: 'nope' }]);
  });

  it('treats a value the store refuses to write as the rule failing on that source fact', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    store.registerDerivation({
      name: 'dated',
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: 'all',
      onError: 'skip',
      rule: () => ({ when: new Date(0) }) as unknown as Json,
    });
    const source = store.write({ store: 'tasks', key: 't1', value: {} });
    expect(errors[0]?.cause).toMatchObject({ code: 'ERR_INVALID_VALUE' });
    expect(store.history({ store: '__dead_letters' }).map((f) => f.key)).toEqual([source.id]);
    expect(statusOf(store)).toMatchObject({ written: 0, failures: 1 });
  });

  it('counts nothing as failed or lagging for a rule that never failed', () => {
    const { store } = poisoned('skip');
    const last = store.write({ store: 'tasks', key: 't1', value: { owner: 'ada' } });
    store.write({ store: 'other', key: 'x', value: { owner: 'ada' } });
    expect(statusOf(store)).toEqual({
      name: 'per-owner',
      kind: 'scatter',
      state: 'running',
      target: 'byOwner',
      lastSourceSeq: last.seq,
      written: 1,
      failures: 0,
      lag: 0,
      lastError: null,
    });
  });
});
