import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, json, keyUrl, type Running, start, tempDir } from './support/harness.js';

const FACT_FIELDS = [
  'id',
  'seq',
  'store',
  'key',
  'value',
  'valueHash',
  'causation',
  'transactionTime',
  'validTime',
  'schemaVersion',
  'producer',
  'derivation',
  'idempotencyKey',
].sort();

let running: Running;
let base = '';
const temp = tempDir();

beforeAll(async () => {
  running = await start({ path: join(temp.dir, 'routes.log') });
  base = running.url;
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

function put(store: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  return call(keyUrl(base, store, key), { method: 'PUT', body, headers });
}

describe('health and metrics', () => {
  it('GET /v1/health reports a ready file-backed writer with its counts', async () => {
    const answer = await call(`${base}/v1/health`);
    expect(answer.status).toBe(200);
    const health = json(answer);
    expect(Object.keys(health).sort()).toEqual(
      [
        'backend',
        'engine',
        'fact_count',
        'lag_ms',
        'last_seq',
        'protocol',
        'role',
        'schema_version',
        'status',
        'subscribers',
      ].sort(),
    );
    expect(health).toMatchObject({
      status: 'ready',
      protocol: 'igniter_store',
      schema_version: 1,
      backend: 'file',
      role: 'writer',
      lag_ms: null,
      engine: running.server.store.engine,
      fact_count: running.server.store.factCount(),
      last_seq: running.server.store.lastSeq(),
      subscribers: 0,
    });
  });

  it('GET /v1/metrics answers Prometheus text by default and OpenMetrics when asked', async () => {
    await put('metered', 'm1', { value: 1 });
    const prometheus = await call(`${base}/v1/metrics`);
    expect(prometheus.status).toBe(200);
    expect(prometheus.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(prometheus.text).toMatch(/^igniter_facts \d+$/m);
    expect(prometheus.text).toContain(`igniter_last_seq ${running.server.store.lastSeq()}`);
    expect(prometheus.text).toMatch(/^igniter_writes_total [1-9]\d*$/m);
    expect(prometheus.text).toMatch(
      /^igniter_http_requests_total\{route="\/v1\/stores\/:store\/keys\/:key",code="201"\} [1-9]/m,
    );
    expect(prometheus.text).toContain(
      'igniter_http_request_duration_seconds_bucket{le="0.001",route="/v1/health"}',
    );
    expect(prometheus.text).toMatch(/^igniter_sse_subscribers 0$/m);
    const open = await call(`${base}/v1/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(open.text.trimEnd().endsWith('# EOF')).toBe(true);
    expect(open.text).toMatch(/^igniter_writes_total [1-9]\d*$/m);
  });
});

describe('keys', () => {
  it('PUT creates a fact (201, durable) and GET reads it back with every field', async () => {
    const created = await put('tasks', 't1', { value: { title: 'write docs' }, producer: { by: 'test' } });
    expect(created.status).toBe(201);
    const fact = json(created).fact as Record<string, unknown>;
    expect(Object.keys(fact).sort()).toEqual(FACT_FIELDS);
    expect(fact).toMatchObject({
      store: 'tasks',
      key: 't1',
      value: { title: 'write docs' },
      producer: { by: 'test' },
    });
    expect(created.headers.get('etag')).toBe(`"${fact.seq}"`);
    const read = await call(keyUrl(base, 'tasks', 't1'));
    expect(read.status).toBe(200);
    expect(json(read).fact).toEqual(fact);
  });

  it('GET of an absent key is 404 ERR_NOT_FOUND', async () => {
    const answer = await call(keyUrl(base, 'tasks', 'nope'));
    expect(answer.status).toBe(404);
    expect(json(answer).error_code).toBe('ERR_NOT_FOUND');
  });

  it('If-Match commits only against the current seq, else 409 with details', async () => {
    const first = json(await put('cas', 'k', { value: 1 })).fact as { seq: number };
    const ok = await put('cas', 'k', { value: 2 }, { 'if-match': String(first.seq) });
    expect(ok.status).toBe(201);
    const stale = await put('cas', 'k', { value: 3 }, { 'if-match': `"${first.seq}"` });
    expect(stale.status).toBe(409);
    expect(json(stale)).toEqual({
      error: expect.any(String),
      error_code: 'ERR_CONFLICT',
      details: {
        store: 'cas',
        key: 'k',
        expected: { seq: first.seq },
        actualSeq: (json(ok).fact as { seq: number }).seq,
      },
    });
    expect(json(await call(keyUrl(base, 'cas', 'k'))).fact).toMatchObject({ value: 2 });
  });

  it('If-None-Match: * writes only an absent key', async () => {
    expect((await put('cas', 'fresh', { value: 1 }, { 'if-none-match': '*' })).status).toBe(201);
    const again = await put('cas', 'fresh', { value: 2 }, { 'if-none-match': '*' });
    expect(again.status).toBe(409);
    expect(json(again).details).toMatchObject({ store: 'cas', key: 'fresh', expected: { absent: true } });
  });

  it('an Idempotency-Key repeat answers 200 with the same fact and writes nothing', async () => {
    const headers = { 'idempotency-key': 'req-1' };
    const first = await put('idem', 'k', { value: { n: 1 } }, headers);
    const lastSeq = running.server.store.lastSeq();
    const repeat = await put('idem', 'k', { value: { n: 1 } }, headers);
    expect([first.status, repeat.status]).toEqual([201, 200]);
    expect(json(repeat).fact).toEqual(json(first).fact);
    expect(running.server.store.lastSeq()).toBe(lastSeq);
  });

  it('GET keys pages through a store in UTF-16 order with a next cursor', async () => {
    for (const key of ['b', 'a', 'c', 'ab']) await put('paged', key, { value: key });
    const first = json(await call(`${base}/v1/stores/paged/keys?limit=2`));
    expect(first).toEqual({ keys: ['a', 'ab'], next: 'ab' });
    const second = json(await call(`${base}/v1/stores/paged/keys?limit=2&after=ab`));
    expect(second).toEqual({ keys: ['b', 'c'], next: null });
    expect(json(await call(`${base}/v1/stores/paged/keys?prefix=a`))).toEqual({
      keys: ['a', 'ab'],
      next: null,
    });
  });

  it('history lists every version; asOf reads the past', async () => {
    const v1 = json(await put('hist', 'k', { value: 'one' })).fact as { transactionTime: number };
    await new Promise((resolve) => setTimeout(resolve, 5));
    await put('hist', 'k', { value: 'two' });
    const history = json(await call(keyUrl(base, 'hist', 'k', '/history'))).facts as Array<{
      value: unknown;
    }>;
    expect(history.map((fact) => fact.value)).toEqual(['one', 'two']);
    const past = await call(keyUrl(base, 'hist', 'k', `?asOf=${v1.transactionTime}`));
    expect(json(past).fact).toMatchObject({ value: 'one' });
  });

  it('validTime writes are read with validAt', async () => {
    await put('valid', 'k', { value: 'jan', validTime: 1_000 });
    await put('valid', 'k', { value: 'mar', validTime: 3_000 });
    expect(json(await call(keyUrl(base, 'valid', 'k', '?validAt=2000'))).fact).toMatchObject({
      value: 'jan',
    });
  });

  it('lineage returns the causation chain of a key', async () => {
    await put('lin', 'k', { value: 1 });
    await put('lin', 'k', { value: 2 });
    const lineage = json(await call(keyUrl(base, 'lin', 'k', '/lineage')));
    expect(lineage.subject).toEqual({ store: 'lin', key: 'k' });
    expect(lineage.depth).toBe(2);
    expect(lineage.proofHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('stores, histories, query, facts, replay', () => {
  it('GET /v1/stores lists user stores with fact and key counts', async () => {
    await put('counted', 'a', { value: 1 });
    await put('counted', 'a', { value: 2 });
    await put('counted', 'b', { value: 3 });
    const stores = json(await call(`${base}/v1/stores`)) as unknown as Array<Record<string, unknown>>;
    expect(stores.find((entry) => entry.store === 'counted')).toEqual({
      store: 'counted',
      factCount: 3,
      keyCount: 2,
    });
    expect(stores.some((entry) => String(entry.store).startsWith('__'))).toBe(false);
  });

  it('POST /v1/histories/:history/events appends an event under a fresh key (201)', async () => {
    const answer = await call(`${base}/v1/histories/audit/events`, {
      method: 'POST',
      body: { event: { action: 'login' }, producer: { app: 'web' } },
      headers: { 'idempotency-key': 'login-1' },
    });
    expect(answer.status).toBe(201);
    const fact = json(answer).fact as Record<string, unknown>;
    expect(fact).toMatchObject({
      store: 'audit',
      value: { action: 'login' },
      causation: null,
      idempotencyKey: 'login-1',
    });
    expect(fact.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('POST /v1/query filters latest values with where and pages by key', async () => {
    await put('people', 'ann', { value: { team: 'red' } });
    await put('people', 'bob', { value: { team: 'blue' } });
    await put('people', 'cid', { value: { team: 'red' } });
    await put('people', 'dan', { value: { team: 'red' } });
    const first = json(
      await call(`${base}/v1/query`, {
        method: 'POST',
        body: { store: 'people', where: { team: 'red' }, limit: 2 },
      }),
    );
    expect((first.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['ann', 'cid']);
    expect(first.next).toBe('cid');
    const rest = json(
      await call(`${base}/v1/query`, {
        method: 'POST',
        body: { store: 'people', where: { team: 'red' }, after: 'cid' },
      }),
    );
    expect((rest.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['dan']);
    expect(rest.next).toBeNull();
  });

  it('GET /v1/facts/:id returns a fact by id, 404 for an unknown id', async () => {
    const fact = json(await put('byid', 'k', { value: 1 })).fact as { id: string };
    expect(json(await call(`${base}/v1/facts/${fact.id}`)).fact).toEqual(fact);
    const missing = await call(`${base}/v1/facts/01890000-0000-7000-8000-000000000000`);
    expect([missing.status, json(missing).error_code]).toEqual([404, 'ERR_NOT_FOUND']);
  });

  it('GET /v1/replay pages user facts in seq order with camelCase facts', async () => {
    const last = running.server.store.lastSeq();
    await put('replayed', 'a', { value: 1 });
    await put('replayed', 'b', { value: 2 });
    await put('replayed', 'c', { value: 3 });
    const page = json(await call(`${base}/v1/replay?after=${last}&limit=2`));
    const facts = page.facts as Array<Record<string, unknown>>;
    expect(facts.map((fact) => fact.key)).toEqual(['a', 'b']);
    expect(Object.keys(facts[0] ?? {}).sort()).toEqual(FACT_FIELDS);
    expect(page).toMatchObject({ next_cursor: facts[1]?.seq, has_more: true });
    const rest = json(await call(`${base}/v1/replay?after=${String(page.next_cursor)}`));
    expect((rest.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['c']);
    expect(rest.has_more).toBe(false);
  });
});

describe('dispatch and admin', () => {
  it('POST /v1/dispatch runs a protocol envelope and echoes the request id', async () => {
    const write = json(
      await call(`${base}/v1/dispatch`, {
        method: 'POST',
        body: {
          protocol: 'igniter_store',
          schema_version: 1,
          request_id: 'r1',
          op: 'write',
          packet: { store: 'wire', key: 'k', value: 7 },
        },
      }),
    );
    expect(write).toMatchObject({
      status: 'ok',
      request_id: 'r1',
      result: { kind: 'receipt', status: 'accepted' },
    });
    const read = json(
      await call(`${base}/v1/dispatch`, {
        method: 'POST',
        body: {
          protocol: 'igniter_store',
          schema_version: 1,
          op: 'read',
          packet: { store: 'wire', key: 'k' },
        },
      }),
    );
    expect(read).toMatchObject({ status: 'ok', request_id: null, result: { value: 7, found: true } });
  });

  it('a malformed envelope is an error envelope with HTTP 200', async () => {
    const unknownOp = await call(`${base}/v1/dispatch`, {
      method: 'POST',
      body: { protocol: 'igniter_store', schema_version: 1, op: 'explode' },
    });
    expect([unknownOp.status, json(unknownOp).error_code]).toEqual([200, 'ERR_UNKNOWN_OP']);
    const notJson = await call(`${base}/v1/dispatch`, { method: 'POST', body: '{"protocol":' });
    expect([notJson.status, json(notJson).status, json(notJson).error_code]).toEqual([
      200,
      'error',
      'ERR_BAD_REQUEST',
    ]);
  });

  it('admin routes checkpoint, verify, back up and compact', async () => {
    const checkpoint = await call(`${base}/v1/admin/checkpoint`, { method: 'POST' });
    expect(checkpoint.status).toBe(200);
    expect(json(checkpoint)).toEqual({
      checkpointed: true,
      lastSeq: running.server.store.lastSeq(),
      factCount: running.server.store.factCount(),
    });
    const verify = json(await call(`${base}/v1/admin/verify`, { method: 'POST', body: {} }));
    expect(verify).toMatchObject({ ok: true, problems: [] });
    const dest = join(temp.dir, 'backup.log');
    const backup = json(await call(`${base}/v1/admin/backup`, { method: 'POST', body: { dest } }));
    expect(backup).toMatchObject({ path: dest, seq: running.server.store.lastSeq() });
    const compact = json(await call(`${base}/v1/admin/compact`, { method: 'POST', body: {} }));
    expect(compact).toEqual({ results: [] });
  });
});
