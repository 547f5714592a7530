import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Changefeed, IgniterStore } from '@igniter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type IgniterClient } from '../src/index.js';
import { type Running, startServer, tempDir } from './support/server.js';

/** Each call is compared with what the library answers for the same input, on the store the server serves. */
describe('every read and write against a served in-memory store', () => {
  let store: IgniterStore;
  let running: Running;
  let client: IgniterClient;

  beforeAll(async () => {
    store = new IgniterStore({ changefeed: new Changefeed() });
    running = await startServer({ store });
    client = createClient({ url: running.url });
  });
  afterAll(async () => {
    await running.close();
    await store.close();
  });

  it('write answers the committed fact, as the library has it', async () => {
    const fact = await client.write({ store: 'w1', key: 'k', value: { title: 'ship', tags: ['a'] } });
    expect(fact).toEqual(store.readFact({ store: 'w1', key: 'k' }));
    expect(fact).toMatchObject({
      store: 'w1',
      key: 'k',
      causation: null,
      schemaVersion: 1,
      idempotencyKey: null,
    });
    expect(fact.valueHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('write carries validTime (a Date too), schemaVersion, producer and causation', async () => {
    const fact = await client.write({
      store: 'w2',
      key: 'k',
      value: 1,
      validTime: new Date(1_700_000_000_000),
      schemaVersion: 3,
      producer: { app: 'test' },
      causation: 'some-cause',
    });
    expect(fact).toMatchObject({
      validTime: 1_700_000_000_000,
      schemaVersion: 3,
      producer: { app: 'test' },
      causation: 'some-cause',
    });
  });

  it('write with expect commits when the expectation holds', async () => {
    const first = await client.write({ store: 'w3', key: 'k', value: 1, expect: { absent: true } });
    const second = await client.write({ store: 'w3', key: 'k', value: 2, expect: { seq: first.seq } });
    expect(store.history({ store: 'w3', key: 'k' }).map((fact) => fact.id)).toEqual([first.id, second.id]);
  });

  it('a repeated write with the same idempotencyKey answers the original fact and writes nothing', async () => {
    const first = await client.write({ store: 'w4', key: 'k', value: 1, idempotencyKey: 'req-1' });
    const again = await client.write({ store: 'w4', key: 'k', value: 1, idempotencyKey: 'req-1' });
    expect(again).toEqual(first);
    expect(store.history({ store: 'w4', key: 'k' })).toHaveLength(1);
  });

  it('append adds an event under a fresh key and answers its fact', async () => {
    const fact = await client.append({ history: 'audit', event: { type: 'opened' }, partitionKey: 'type' });
    expect(fact).toEqual(store.factById(fact.id));
    expect(fact.value).toEqual({ type: 'opened' });
    expect(fact.key).not.toBe('');
  });

  it('readFact and read answer the latest fact and value, undefined when absent', async () => {
    await client.write({ store: 'r1', key: 'k', value: 'one' });
    const latest = await client.write({ store: 'r1', key: 'k', value: 'two' });
    expect(await client.readFact({ store: 'r1', key: 'k' })).toEqual(latest);
    expect(await client.read({ store: 'r1', key: 'k' })).toBe('two');
    expect(await client.readFact({ store: 'r1', key: 'absent' })).toBeUndefined();
    expect(await client.read({ store: 'r1', key: 'absent' })).toBeUndefined();
  });

  it('read with asOf (a number or a Date) answers the value as it was known then', async () => {
    const old = await client.write({ store: 'r2', key: 'k', value: 'old' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await client.write({ store: 'r2', key: 'k', value: 'new' });
    expect(await client.read({ store: 'r2', key: 'k', asOf: old.transactionTime })).toBe('old');
    expect(await client.read({ store: 'r2', key: 'k', asOf: new Date(old.transactionTime) })).toBe('old');
  });

  it('read with validAt answers the value that stood at that valid time', async () => {
    await client.write({ store: 'r3', key: 'price', value: 10, validTime: 1000 });
    await client.write({ store: 'r3', key: 'price', value: 12, validTime: 2000 });
    expect(await client.read({ store: 'r3', key: 'price', validAt: 1500 })).toBe(10);
    expect(await client.readFact({ store: 'r3', key: 'price', validAt: 2500 })).toEqual(
      store.readFact({ store: 'r3', key: 'price', validAt: 2500 }),
    );
  });

  it('history answers every fact of the key as the library does, with since', async () => {
    for (const value of [1, 2, 3]) await client.write({ store: 'h1', key: 'k', value });
    const all = store.history({ store: 'h1', key: 'k' });
    expect(await client.history({ store: 'h1', key: 'k' })).toEqual(all);
    const since = all[1]?.transactionTime ?? 0;
    expect(await client.history({ store: 'h1', key: 'k', since })).toEqual(
      store.history({ store: 'h1', key: 'k', since }),
    );
  });

  it('lineage answers the library lineage', async () => {
    await client.write({ store: 'l1', key: 'k', value: 1 });
    await client.write({ store: 'l1', key: 'k', value: 2 });
    expect(await client.lineage({ store: 'l1', key: 'k' })).toEqual(store.lineage({ store: 'l1', key: 'k' }));
  });

  it('query answers the matching keys a page at a time, with next as the cursor', async () => {
    for (const [key, status] of [
      ['a', 'open'],
      ['b', 'done'],
      ['c', 'open'],
      ['d', 'open'],
    ] as const) {
      await client.write({ store: 'q1', key, value: { status } });
    }
    const first = await client.query({ store: 'q1', where: { status: 'open' }, limit: 2 });
    expect(first).toEqual({
      facts: store.query({ store: 'q1', where: { status: 'open' }, limit: 2 }),
      next: 'c',
    });
    const second = await client.query({ store: 'q1', where: { status: 'open' }, limit: 2, after: 'c' });
    expect(second.facts.map((fact) => fact.key)).toEqual(['d']);
    expect(second.next).toBeNull();
  });

  it('query of a registered scope answers its members', async () => {
    store.registerPath({ store: 'q2', scope: 'open', filters: { status: 'open' } });
    await client.write({ store: 'q2', key: 'x', value: { status: 'open' } });
    await client.write({ store: 'q2', key: 'y', value: { status: 'done' } });
    const page = await client.query({ store: 'q2', scope: 'open' });
    expect(page).toEqual({ facts: store.query({ store: 'q2', scope: 'open' }), next: null });
    expect(page.facts.map((fact) => fact.key)).toEqual(['x']);
  });

  it('keys answers a page of keys with prefix, after and next', async () => {
    for (const key of ['user/1', 'user/2', 'user/3', 'team/1'])
      await client.write({ store: 'k1', key, value: 0 });
    expect(await client.keys({ store: 'k1' })).toEqual({
      keys: ['team/1', 'user/1', 'user/2', 'user/3'],
      next: null,
    });
    expect(await client.keys({ store: 'k1', prefix: 'user/', limit: 2 })).toEqual({
      keys: ['user/1', 'user/2'],
      next: 'user/2',
    });
    expect(await client.keys({ store: 'k1', prefix: 'user/', after: 'user/2' })).toEqual({
      keys: ['user/3'],
      next: null,
    });
  });

  it('stores answers the library stores() summary', async () => {
    expect(await client.stores()).toEqual(store.stores());
  });

  it('factById answers the raw fact, undefined for an unknown id', async () => {
    const fact = await client.write({ store: 'f1', key: 'k', value: 'v' });
    expect(await client.factById(fact.id)).toEqual(fact);
    expect(await client.factById('00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('replay pages through every fact in seq order', async () => {
    const lastSeq = store.lastSeq();
    const first = await client.replay({ limit: 2 });
    expect(first.facts.map((fact) => fact.seq)).toEqual([1, 2]);
    expect(first).toMatchObject({ next_cursor: 2, has_more: lastSeq > 2 });
    const tail = await client.replay({ after: lastSeq - 1 });
    expect(tail).toEqual({
      facts: [store.factById(tail.facts[0]?.id ?? '')],
      next_cursor: lastSeq,
      has_more: false,
    });
  });

  it('dispatch answers protocol envelopes, an error as an envelope rather than a throw', async () => {
    await client.write({ store: 'd1', key: 'k', value: 'v' });
    const ok = await client.dispatch({
      protocol: 'igniter_store',
      schema_version: 1,
      request_id: 'r1',
      op: 'read',
      packet: { store: 'd1', key: 'k' },
    });
    expect(ok).toEqual({
      protocol: 'igniter_store',
      schema_version: 1,
      request_id: 'r1',
      status: 'ok',
      result: { value: 'v', found: true },
    });
    const unknown = await client.dispatch({ protocol: 'igniter_store', schema_version: 1, op: 'no_such_op' });
    expect(unknown).toMatchObject({ status: 'error', error_code: 'ERR_UNKNOWN_OP', request_id: null });
  });

  it('health answers the server status with the last seq', async () => {
    expect(await client.health()).toEqual({
      status: 'ready',
      protocol: 'igniter_store',
      schema_version: 1,
      backend: 'memory',
      engine: store.engine,
      role: 'writer',
      lag_ms: null,
      fact_count: store.factCount(),
      last_seq: store.lastSeq(),
      subscribers: 0,
    });
  });

  it('metrics answers Prometheus text, or OpenMetrics text ending in # EOF', async () => {
    expect(await client.metrics()).toMatch(/^igniter_facts \d+$/m);
    expect((await client.metrics({ openMetrics: true })).trimEnd().endsWith('# EOF')).toBe(true);
  });
});

describe('the admin calls against a served file store', () => {
  const temp = tempDir();
  let running: Running;
  let client: IgniterClient;

  beforeAll(async () => {
    running = await startServer({ path: join(temp.dir, 'admin.log') });
    client = createClient({ url: running.url });
    await client.write({ store: 'a', key: 'k', value: 1 });
    await client.write({ store: 'a', key: 'k', value: 2 });
  });
  afterAll(async () => {
    await running.close();
    temp.cleanup();
  });

  it('checkpoint answers the seq and fact count it covers', async () => {
    expect(await client.checkpoint()).toEqual({ checkpointed: true, lastSeq: 2, factCount: 2 });
  });

  it('verify answers ok for an intact store', async () => {
    expect(await client.verify()).toMatchObject({ ok: true, factsChecked: 2, problems: [] });
  });

  it('backup writes a copy at a path on the server and answers what it holds', async () => {
    const dest = join(temp.dir, 'copy.log');
    expect(await client.backup(dest)).toMatchObject({ path: dest, seq: 2, factCount: 2 });
    expect(existsSync(dest)).toBe(true);
  });

  it('compact answers one entry per store with a retention policy: none here', async () => {
    expect(await client.compact()).toEqual([]);
  });
});

describe('the rule calls and promote against a served store with a rule', () => {
  let store: IgniterStore;
  let running: Running;
  let client: IgniterClient;

  beforeAll(async () => {
    store = new IgniterStore({ onRuleError: () => undefined });
    store.registerDerivation({
      name: 'total',
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: 'all',
      onError: 'stop',
      rule: (facts) => {
        if (facts.some((f) => (f.value as { poison?: boolean }).poison === true)) throw new Error('poison');
        return { count: facts.length };
      },
    });
    running = await startServer({ store });
    client = createClient({ url: running.url });
  });
  afterAll(async () => {
    await running.close();
    await store.close();
  });

  it('ruleStatus, resume and rebuild answer what the library does', async () => {
    store.write({ store: 'tasks', key: 't1', value: { poison: true } });
    store.write({ store: 'tasks', key: 't1', value: {} });
    expect(await client.ruleStatus()).toEqual(JSON.parse(JSON.stringify(store.ruleStatus())));
    expect((await client.ruleStatus())[0]).toMatchObject({ name: 'total', state: 'stopped' });
    expect(await client.resume('total')).toMatchObject({ name: 'total', state: 'running', failures: 1 });
    expect(await client.rebuild('total')).toEqual({
      name: 'total',
      target: 'stats',
      sourceFacts: 2,
      written: 1,
    });
    expect(store.read({ store: 'stats', key: 'all' })).toEqual({ count: 1 });
  });

  it('an unknown rule is ERR_NOT_FOUND, an unknown option ERR_INVALID_ARGUMENT before any request', async () => {
    await expect(client.resume('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(client.rebuild('total', { force: true } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('promote on a writer answers at once with its role and last seq', async () => {
    expect(await client.promote()).toEqual({ role: 'writer', lastSeq: store.lastSeq() });
  });
});
