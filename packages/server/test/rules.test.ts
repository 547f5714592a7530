import { type Fact, IgniterStore, type Json } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, json, type Running, start } from './support/harness.js';

const ADMIN = 'admin-token';
const READER = 'reader-token';
const TASKS_ONLY = 'tasks-token';
const tokens = [
  { name: 'ops', token: ADMIN, admin: true },
  { name: 'reader', token: READER, read: ['*'] },
  { name: 'tasks', token: TASKS_ONLY, read: ['tasks'], write: ['tasks'] },
];

let store: IgniterStore;
let running: Running;

/** A derivation `total` that counts tasks and stops on a task marked poison. */
function withRule(): IgniterStore {
  const s = new IgniterStore({ onRuleError: () => undefined });
  s.registerDerivation({
    name: 'total',
    sourceStore: 'tasks',
    targetStore: 'stats',
    targetKey: 'all',
    onError: 'stop',
    rule: (facts: Fact[]): Json => {
      if (facts.some((f) => (f.value as { poison?: boolean }).poison === true)) throw new Error('poison');
      return { count: facts.length };
    },
  });
  return s;
}

beforeEach(async () => {
  store = withRule();
  running = await start({ store, tokens });
});
afterEach(async () => {
  await running.close();
  await store.close();
});

describe('rule routes', () => {
  it('GET /v1/rules answers every rule status to a token that reads every store, 403 otherwise', async () => {
    store.write({ store: 'tasks', key: 't1', value: {} });
    const answer = await call(`${running.url}/v1/rules`, { token: READER });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ rules: JSON.parse(JSON.stringify(store.ruleStatus())) });
    expect(json(answer).rules).toMatchObject([
      { name: 'total', kind: 'derivation', state: 'running', target: 'stats', written: 1, failures: 0 },
    ]);
    const narrow = await call(`${running.url}/v1/rules`, { token: TASKS_ONLY });
    expect([narrow.status, json(narrow).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    const extra = await call(`${running.url}/v1/rules?name=total`, { token: READER });
    expect([extra.status, json(extra).error_code]).toEqual([400, 'ERR_INVALID_ARGUMENT']);
  });

  it('resume runs a stopped rule again (admin only) and answers its status', async () => {
    store.write({ store: 'tasks', key: 't1', value: { poison: true } });
    expect(store.ruleStatus()[0]?.state).toBe('stopped');
    const denied = await call(`${running.url}/v1/admin/rules/total/resume`, {
      method: 'POST',
      token: READER,
    });
    expect([denied.status, json(denied).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    expect(store.ruleStatus()[0]?.state).toBe('stopped');
    const resumed = await call(`${running.url}/v1/admin/rules/total/resume`, {
      method: 'POST',
      token: ADMIN,
    });
    expect(resumed.status).toBe(200);
    expect(json(resumed).rule).toMatchObject({ name: 'total', state: 'running', failures: 1 });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(store.read({ store: 'stats', key: 'all' })).toEqual({ count: 1 });
  });

  it('rebuild recomputes the target (admin only) and answers the library result once durable', async () => {
    store.write({ store: 'tasks', key: 't1', value: { poison: true } });
    store.write({ store: 'tasks', key: 't2', value: {} });
    store.write({ store: 'tasks', key: 't1', value: {} });
    // The rule stopped at the poison fact and skipped the rest: stats/all never got written.
    expect(store.read({ store: 'stats', key: 'all' })).toBeUndefined();
    store.resume('total');
    const before = store.lastSeq();
    const rebuilt = await call(`${running.url}/v1/admin/rules/total/rebuild`, {
      method: 'POST',
      token: ADMIN,
    });
    expect(rebuilt.status).toBe(200);
    expect(json(rebuilt)).toEqual({ name: 'total', target: 'stats', sourceFacts: 3, written: 1 });
    expect(store.lastSeq()).toBe(before + 1);
    expect(store.read({ store: 'stats', key: 'all' })).toEqual({ count: 2 });
  });

  it('an unknown rule is 404, an unknown body field 400, a non-admin 403: nothing changes', async () => {
    const seq = store.lastSeq();
    const unknown = await call(`${running.url}/v1/admin/rules/nope/rebuild`, {
      method: 'POST',
      token: ADMIN,
    });
    expect([unknown.status, json(unknown).error_code]).toEqual([404, 'ERR_NOT_FOUND']);
    const resumeUnknown = await call(`${running.url}/v1/admin/rules/nope/resume`, {
      method: 'POST',
      token: ADMIN,
    });
    expect([resumeUnknown.status, json(resumeUnknown).error_code]).toEqual([404, 'ERR_NOT_FOUND']);
    const extra = await call(`${running.url}/v1/admin/rules/total/rebuild`, {
      method: 'POST',
      token: ADMIN,
      body: { into: 'stats2', force: true },
    });
    expect([extra.status, json(extra).error_code]).toEqual([400, 'ERR_INVALID_ARGUMENT']);
    const reader = await call(`${running.url}/v1/admin/rules/total/rebuild`, {
      method: 'POST',
      token: READER,
    });
    expect([reader.status, json(reader).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    expect(store.lastSeq()).toBe(seq);
  });
});
