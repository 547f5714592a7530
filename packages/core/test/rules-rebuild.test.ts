import { describe, expect, it } from 'vitest';
import type { Fact, IgniterStore, Json, RuleErrorPolicy } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { latestValues, replayed, whileRebuilding } from './support/rebuild.js';
import { newStore } from './support/store.js';

/** Source facts enough for a rebuild to take several slices of the event loop. */
const MANY = 20_000;

const OWNERS = ['ada', 'bob', 'cyd', 'dee', 'eve'];

function orderValue(i: number): Json {
  return {
    owner: OWNERS[i % OWNERS.length] as string,
    amount: i % 97,
    status: i % 3 === 0 ? 'paid' : 'open',
  };
}

/** Writes orders `from` to `from + count - 1` over `keys` keys (a derivation's inputs are its keys). */
function writeOrders(store: IgniterStore, from: number, count: number, keys = 5_000): void {
  for (let i = from; i < from + count; i += 1) {
    store.write({ store: 'orders', key: `o${i % keys}`, value: orderValue(i) });
  }
}

/** The user facts of `orders`, the source facts a replay writes again. */
const ordersOf = (store: IgniterStore): Fact[] => store.history({ store: 'orders' });

/** A scatter whose code is changed (by `version`) after facts were written with the old code. */
function totalsByOwner(version: { factor: number }) {
  return (store: IgniterStore): void => {
    store.registerScatter({
      name: 'totals',
      sourceStore: 'orders',
      partitionBy: 'owner',
      targetStore: 'totals',
      rule: (_owner, existing, fact) => ({
        sum:
          ((existing as { sum?: number } | undefined)?.sum ?? 0) +
          (fact.value as { amount: number }).amount * version.factor,
      }),
    });
  };
}

/** A fixed-key derivation over the paid orders, with changeable code. */
function paidRevenue(version: { factor: number }) {
  return (store: IgniterStore): void => {
    store.registerDerivation({
      name: 'revenue',
      sourceStore: 'orders',
      sourceFilters: { status: 'paid' },
      targetStore: 'reports',
      targetKey: 'revenue',
      rule: (facts) => ({
        orders: facts.length,
        total: facts.reduce((sum, f) => sum + (f.value as { amount: number }).amount * version.factor, 0),
      }),
    });
  };
}

describe(`rebuild (${ENGINE_KIND} engine)`, () => {
  it('ends a scatter rebuild under concurrent writes with the target a fresh replay holds', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    writeOrders(store, 0, MANY);
    version.factor = 2;
    const { result, writes } = await whileRebuilding(store.rebuild('totals'), (i) =>
      writeOrders(store, MANY + i * 3, 3),
    );
    expect(writes).toBeGreaterThan(0);
    expect(result).toEqual({ name: 'totals', target: 'totals', sourceFacts: MANY + writes * 3, written: 5 });
    expect(latestValues(store, 'totals')).toEqual(
      replayed(ordersOf(store), totalsByOwner(version), 'totals'),
    );
  });

  it('ends a derivation rebuild under concurrent writes with the target a fresh replay holds', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    paidRevenue(version)(store);
    writeOrders(store, 0, 2 * MANY, 60);
    version.factor = 3;
    const { writes } = await whileRebuilding(store.rebuild('revenue'), (i) =>
      writeOrders(store, 2 * MANY + i, 1, 60),
    );
    expect(writes).toBeGreaterThan(0);
    expect(latestValues(store, 'reports')).toEqual(
      replayed(ordersOf(store), paidRevenue(version), 'reports'),
    );
  });

  it('runs the rule at every change of its inputs for a derivation whose key is a function', async () => {
    const register = (store: IgniterStore): void => {
      store.registerDerivation({
        name: 'buckets',
        sourceStore: 'orders',
        sourceFilters: { owner: 'ada' },
        targetStore: 'buckets',
        targetKey: (facts) => `size-${facts.length % 7}`,
        rule: (facts) => facts.map((f) => f.key).slice(-3),
      });
    };
    const { store } = newStore();
    writeOrders(store, 0, 400);
    register(store);
    const result = await store.rebuild('buckets');
    expect(latestValues(store, 'buckets')).toEqual(replayed(ordersOf(store), register, 'buckets'));
    expect(Object.keys(latestValues(store, 'buckets'))).toHaveLength(7);
    expect(result.sourceFacts).toBe(400);
  });

  it('keeps the last value a replay wrote when the last run of a fixed-key derivation returns null', async () => {
    const register = (store: IgniterStore): void => {
      store.registerDerivation({
        name: 'open-count',
        sourceStore: 'orders',
        sourceFilters: { status: 'open' },
        targetStore: 'reports',
        targetKey: 'open',
        rule: (facts) => (facts.length === 0 ? null : { open: facts.length }),
      });
    };
    const { store } = newStore();
    store.write({ store: 'orders', key: 'o1', value: { status: 'open' } });
    store.write({ store: 'orders', key: 'o2', value: { status: 'open' } });
    store.write({ store: 'orders', key: 'o1', value: { status: 'paid' } });
    store.write({ store: 'orders', key: 'o2', value: { status: 'paid' } });
    register(store);
    await store.rebuild('open-count');
    expect(latestValues(store, 'reports')).toEqual({ open: { open: 1 } });
    expect(latestValues(store, 'reports')).toEqual(replayed(ordersOf(store), register, 'reports'));
  });

  it('rebuilds a running projection over several stores to what a replay holds', async () => {
    const version = { label: 'v1' };
    const register = (store: IgniterStore): void => {
      store.registerProjection({
        name: 'activity',
        reads: ['orders', 'notes'],
        targetStore: 'activity',
        targetKey: (fact) => (fact.value as { owner?: string }).owner ?? null,
        rule: (existing, fact) => ({
          events: ((existing as { events?: number } | undefined)?.events ?? 0) + 1,
          last: `${version.label}:${fact.store}/${fact.key}`,
        }),
      });
    };
    const { store } = newStore();
    register(store);
    writeOrders(store, 0, 300);
    store.write({ store: 'notes', key: 'n1', value: { owner: 'ada' } });
    store.write({ store: 'notes', key: 'n2', value: { text: 'no owner' } });
    writeOrders(store, 300, 7);
    version.label = 'v2';
    await store.rebuild('activity');
    const sources = store.factLogAll().filter((f) => f.store === 'orders' || f.store === 'notes');
    expect(latestValues(store, 'activity')).toEqual(replayed(sources, register, 'activity'));
  });

  it('rebuilds a relation index from every fact, history included', async () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { project: 'p1' } });
    store.write({ store: 'tasks', key: 't1', value: { project: 'p2' } });
    store.write({ store: 'tasks', key: 't2', value: { project: 'p1' } });
    store.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    const register = (s: IgniterStore): void => {
      s.registerRelation('project_tasks', { source: 'tasks', partition: 'project', target: 'projects' });
    };
    const result = await store.rebuild('project_tasks');
    expect(latestValues(store, '__rel_project_tasks')).toEqual(
      replayed(store.history({ store: 'tasks' }), register, '__rel_project_tasks'),
    );
    expect(result).toEqual({
      name: 'project_tasks',
      target: '__rel_project_tasks',
      sourceFacts: 3,
      written: 1,
    });
  });

  it('writes only the target values that differ, and nothing when the target is right', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    writeOrders(store, 0, 50);
    store.write({ store: 'totals', key: 'ada', value: { sum: -1 } });
    const facts = store.factCount();
    expect((await store.rebuild('totals')).written).toBe(1);
    expect(store.factCount()).toBe(facts + 1);
    expect((await store.rebuild('totals')).written).toBe(0);
    expect(store.factCount()).toBe(facts + 1);
  });

  it('marks the facts a rebuild writes as derived facts of the rule with origin "rebuild"', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', amount: 5 } });
    const last = store.write({ store: 'orders', key: 'o2', value: { owner: 'ada', amount: 1 } });
    version.factor = 10;
    await store.rebuild('totals');
    const fact = store.history({ store: 'totals', key: 'ada' }).at(-1);
    expect([fact?.value, fact?.producer, fact?.derivation]).toEqual([
      { sum: 60 },
      { kind: 'scatter', rule: 'totals' },
      { rule: 'totals', sourceStore: 'orders', sourceKey: 'o2', sourceFactId: last.id, origin: 'rebuild' },
    ]);
  });

  it('builds another store with into and switches the rule to it when done', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    writeOrders(store, 0, MANY);
    const before = latestValues(store, 'totals');
    version.factor = 2;
    const { result, writes } = await whileRebuilding(store.rebuild('totals', { into: 'totals_v2' }), (i) =>
      writeOrders(store, MANY + i, 1),
    );
    expect(writes).toBeGreaterThan(0);
    expect(result.target).toBe('totals_v2');
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'running', target: 'totals_v2' });
    expect(store.schemaGraph.scatterSnapshot()[0]?.targetStore).toBe('totals_v2');
    expect(latestValues(store, 'totals_v2')).toEqual(
      replayed(ordersOf(store), totalsByOwner(version), 'totals'),
    );
    // The live rule kept the old target current until the switch; after it, only the new one changes.
    const old = latestValues(store, 'totals');
    expect(old).not.toEqual(before);
    const adaBefore = (latestValues(store, 'totals_v2').ada as { sum: number }).sum;
    store.write({ store: 'orders', key: 'new', value: { owner: 'ada', amount: 1 } });
    expect(latestValues(store, 'totals')).toEqual(old);
    expect(store.read({ store: 'totals_v2', key: 'ada' })).toEqual({ sum: adaBefore + 2 });
  });

  it('shows the rule as rebuilding with the source facts left to fold, then running and caught up', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    writeOrders(store, 0, 100);
    const rebuild = store.rebuild('totals');
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'rebuilding', lag: 100, lastSourceSeq: 0 });
    await rebuild;
    const last = store.history({ store: 'orders' }).at(-1) as Fact;
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'running', lag: 0, lastSourceSeq: last.seq });
  });

  it('lets the event loop run between slices of a large rebuild', async () => {
    const { store } = newStore();
    totalsByOwner({ factor: 1 })(store);
    writeOrders(store, 0, MANY);
    let turns = 0;
    const timer = setInterval(() => {
      turns += 1;
    }, 0);
    await store.rebuild('totals');
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0);
  });

  it('catches up a stopped rule and leaves it running', async () => {
    let broken = true;
    const { store } = newStore({ onRuleError: () => undefined });
    store.registerScatter({
      name: 'totals',
      sourceStore: 'orders',
      partitionBy: 'owner',
      targetStore: 'totals',
      onError: 'stop',
      rule: (_owner, existing, fact) => {
        if (broken) throw new Error('not yet');
        return {
          sum:
            ((existing as { sum?: number } | undefined)?.sum ?? 0) +
            (fact.value as { amount: number }).amount,
        };
      },
    });
    writeOrders(store, 0, 20);
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'stopped', lag: 19 });
    broken = false;
    await store.rebuild('totals');
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'running', lag: 0, failures: 1 });
    expect(latestValues(store, 'totals')).toEqual(
      replayed(ordersOf(store), totalsByOwner({ factor: 1 }), 'totals'),
    );
  });

  /**
   * A scatter listing the order keys of each owner that, once `failOn` names an order, fails on
   * it: the code changed after the live run went through. Two orders of ada are written.
   */
  function pickyStore(onError: RuleErrorPolicy, errors: unknown[] = []) {
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    const code = { failOn: '' };
    store.registerScatter({
      name: 'picky',
      sourceStore: 'orders',
      partitionBy: 'owner',
      targetStore: 'totals',
      onError,
      rule: (_owner, existing, fact) => {
        if (fact.key === code.failOn) throw new Error('poison');
        return { keys: [...((existing as { keys?: string[] } | undefined)?.keys ?? []), fact.key] };
      },
    });
    const bad = store.write({ store: 'orders', key: 'o1', value: { owner: 'ada' } });
    store.write({ store: 'orders', key: 'o2', value: { owner: 'ada' } });
    code.failOn = 'o1';
    return { store, bad };
  }

  it("rejects with the failure and stops a 'stop' rule that fails during its rebuild", async () => {
    const { store, bad } = pickyStore('stop');
    await expect(store.rebuild('picky')).rejects.toMatchObject({
      code: 'ERR_RULE_FAILED',
      details: { sourceFactId: bad.id, rule: 'picky' },
    });
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'stopped', failures: 1, written: 2 });
    expect(store.read({ store: 'totals', key: 'ada' })).toEqual({ keys: ['o1', 'o2'] });
  });

  it("reports and passes over a failing source fact of a 'report' rule during its rebuild", async () => {
    const errors: unknown[] = [];
    const { store } = pickyStore('report', errors);
    const result = await store.rebuild('picky');
    expect(result.written).toBe(1);
    expect(store.read({ store: 'totals', key: 'ada' })).toEqual({ keys: ['o2'] });
    expect(errors).toHaveLength(1);
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'running', failures: 1 });
  });

  it('rejects with ERR_CLOSED when the store closes during a rebuild', async () => {
    const { store } = newStore();
    totalsByOwner({ factor: 1 })(store);
    writeOrders(store, 0, 100);
    const rebuild = store.rebuild('totals');
    await store.close();
    await expect(rebuild).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('starts over when facts are removed during a rebuild, ending as a replay of what is left', async () => {
    const version = { factor: 1 };
    const { store } = newStore();
    totalsByOwner(version)(store);
    writeOrders(store, 0, MANY);
    const doomed = store.history({ store: 'orders', key: 'o7' }).map((f) => f.id);
    version.factor = 2;
    const { writes } = await whileRebuilding(store.rebuild('totals'), (i) => {
      if (i === 0) store.pruneFactIds({ factIds: doomed, reason: 'test' });
    });
    expect(writes).toBeGreaterThan(0);
    expect(store.history({ store: 'orders', key: 'o7' })).toEqual([]);
    expect(latestValues(store, 'totals')).toEqual(
      replayed(ordersOf(store), totalsByOwner(version), 'totals'),
    );
  });
});

describe(`rebuild arguments (${ENGINE_KIND} engine)`, () => {
  function withScatter(): IgniterStore {
    const { store } = newStore();
    totalsByOwner({ factor: 1 })(store);
    return store;
  }

  it('rejects an unknown rule name', async () => {
    await expect(withScatter().rebuild('nope')).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      details: { name: 'nope' },
    });
  });

  it('rejects a second rebuild of a rule already rebuilding', async () => {
    const store = withScatter();
    const first = store.rebuild('totals');
    await expect(store.rebuild('totals')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await first;
  });

  it('rejects a rule that writes to its own source store', async () => {
    const { store } = newStore();
    store.registerScatter({
      name: 'self',
      sourceStore: 'a',
      partitionBy: 'p',
      targetStore: 'a',
      rule: () => 1,
    });
    await expect(store.rebuild('self')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(store.ruleStatus()[0]?.state).toBe('running');
  });

  it.each([
    ['an internal store', { into: '__totals' }, 'ERR_RESERVED_NAME'],
    ['a source store', { into: 'orders' }, 'ERR_INVALID_ARGUMENT'],
    ['an empty name', { into: '' }, 'ERR_INVALID_ARGUMENT'],
    ['an unknown option', { onto: 'x' }, 'ERR_INVALID_ARGUMENT'],
  ])('rejects into %s', async (_what, options, code) => {
    const store = withScatter();
    await expect(store.rebuild('totals', options as { into: string })).rejects.toMatchObject({ code });
    expect(store.ruleStatus()[0]).toMatchObject({ state: 'running', target: 'totals' });
  });

  it('rejects rebuilding a relation index into another store', async () => {
    const { store } = newStore();
    store.registerRelation('r', { source: 'a', partition: 'p', target: 'b' });
    await expect(store.rebuild('r', { into: 'elsewhere' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('rejects with ERR_CLOSED on a closed store', async () => {
    const store = withScatter();
    await store.close();
    await expect(store.rebuild('totals')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
