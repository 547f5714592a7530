import type { IgniterStore, Json } from '@igniter/core';
import { describe, expect, it } from 'vitest';
import { dispatch, Interpreter } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

function request(op: string, packet?: Record<string, unknown>): Record<string, unknown> {
  return { ...ENVELOPE, request_id: `req-${op}`, op, packet };
}

/** A store with a scatter that stops at a poisoned fact. */
function storeWithRule(): IgniterStore {
  const store = memoryStore({ onRuleError: () => undefined });
  store.registerScatter({
    name: 'totals',
    sourceStore: 'orders',
    partitionBy: 'owner',
    targetStore: 'totals',
    onError: 'stop',
    rule: (_owner, existing, fact) => {
      if ((fact.value as { poison?: boolean }).poison) throw new Error('poison');
      return ((existing as number | undefined) ?? 0) + (fact.value as { amount: number }).amount;
    },
  });
  return store;
}

describe(`rule operations (${ENGINE} engine)`, () => {
  it('rule_status answers every rule in wire form', async () => {
    const store = storeWithRule();
    const bad = store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', poison: true } });
    store.write({ store: 'orders', key: 'o2', value: { owner: 'ada', amount: 2 } });
    expect(await dispatch(store, request('rule_status'))).toEqual({
      ...ENVELOPE,
      request_id: 'req-rule_status',
      status: 'ok',
      result: {
        rules: [
          {
            name: 'totals',
            kind: 'scatter',
            state: 'stopped',
            target: 'totals',
            last_source_seq: bad.seq,
            written: 0,
            failures: 1,
            lag: 1,
            last_error: {
              code: 'ERR_RULE_FAILED',
              message: 'scatter "totals" failed for orders/o1: poison',
              source_fact_id: bad.id,
            },
          },
        ],
        count: 1,
      },
    });
  });

  it('resume_rule lets a stopped rule run again and answers its status', async () => {
    const store = storeWithRule();
    store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', poison: true } });
    const response = await dispatch(store, request('resume_rule', { name: 'totals' }));
    expect(response).toMatchObject({ status: 'ok', result: { name: 'totals', state: 'running', lag: 0 } });
    store.write({ store: 'orders', key: 'o2', value: { owner: 'ada', amount: 2 } });
    expect(store.read({ store: 'totals', key: 'ada' })).toBe(2);
  });

  it('rebuild answers when the target is caught up, with what it wrote', async () => {
    const store = storeWithRule();
    store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', amount: 1 } });
    store.write({ store: 'orders', key: 'o2', value: { owner: 'ada', amount: 2 } });
    store.write({ store: 'totals', key: 'ada', value: 99 });
    const response = await dispatch(store, request('rebuild', { name: 'totals', into: 'totals_v2' }));
    expect(response).toMatchObject({
      status: 'ok',
      result: { name: 'totals', target: 'totals_v2', source_facts: 2, written: 1 },
    });
    expect(store.read({ store: 'totals_v2', key: 'ada' })).toBe(3);
  });

  it('rebuild of a stopped rule that fails again answers the rule failure as a coded error', async () => {
    const store = storeWithRule();
    const bad = store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', poison: true } });
    const response = await dispatch(store, request('rebuild', { name: 'totals' }));
    expect(response).toMatchObject({
      status: 'error',
      error_code: 'ERR_RULE_FAILED',
      error_details: { kind: 'scatter', rule: 'totals', source_fact_id: bad.id },
    });
  });

  it('lineage names the rule that wrote a derived key', () => {
    const store = storeWithRule();
    store.write({ store: 'orders', key: 'o1', value: { owner: 'ada', amount: 1 } });
    const lineage = new Interpreter(store).lineage({ store: 'totals', key: 'ada' });
    expect(lineage.derived_by).toEqual([
      {
        rule: 'totals',
        kind: 'scatter',
        source_store: 'orders',
        target_store: 'totals',
        target_key: 'ada',
        source_filters: {},
      },
    ] satisfies Json);
  });
});
