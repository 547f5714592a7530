import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, json, keyUrl, type Running, start, tempDir } from './support/harness.js';

const temp = tempDir();
let running: Running;
let base = '';

beforeAll(async () => {
  running = await start({ path: join(temp.dir, 'bad.log'), limits: { bodyBytes: 4096 } });
  base = running.url;
  await call(keyUrl(base, 'seed', 'k'), { method: 'PUT', body: { value: 1 } });
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

/** Asserts the coded error, that the answer leaks no stack or server path, and that nothing was written. */
async function rejects(
  send: () => Promise<Answer>,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const before = running.server.store.lastSeq();
  const answer = await send();
  expect({ status: answer.status, code: json(answer).error_code }).toEqual({ status, code });
  expect(answer.text).not.toMatch(/\bat .*:\d+:\d+|node_modules|\/src\/|\/dist\//);
  expect(answer.text).not.toContain(temp.dir);
  expect(running.server.store.lastSeq()).toBe(before);
  return json(answer);
}

const put = (store: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
  call(keyUrl(base, store, key), { method: 'PUT', body, headers });
const post = (path: string, body: unknown) => call(`${base}${path}`, { method: 'POST', body });

describe('malformed bodies', () => {
  it('malformed JSON is 400 ERR_BAD_REQUEST on every body route', async () => {
    await rejects(() => put('s', 'k', '{"value": '), 400, 'ERR_BAD_REQUEST');
    await rejects(() => post('/v1/histories/h/events', '{"event"'), 400, 'ERR_BAD_REQUEST');
    await rejects(() => post('/v1/query', 'nope'), 400, 'ERR_BAD_REQUEST');
    await rejects(() => post('/v1/admin/backup', '{'), 400, 'ERR_BAD_REQUEST');
  });

  it('a body that is not JSON by content type is 400 ERR_BAD_REQUEST', async () => {
    await rejects(
      () => put('s', 'k', 'value=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      400,
      'ERR_BAD_REQUEST',
    );
  });

  it('a body over limits.bodyBytes is 413 ERR_VALUE_TOO_LARGE', async () => {
    await rejects(() => put('s', 'k', { value: 'x'.repeat(5000) }), 413, 'ERR_VALUE_TOO_LARGE');
    await rejects(
      () =>
        post('/v1/dispatch', {
          protocol: 'igniter_store',
          schema_version: 1,
          op: 'write',
          packet: { store: 's', key: 'k', value: 'x'.repeat(5000) },
        }),
      413,
      'ERR_VALUE_TOO_LARGE',
    );
  });
});

describe('wrong types and unknown fields', () => {
  it('an unknown body field is 400 ERR_INVALID_ARGUMENT naming it', async () => {
    const body = await rejects(() => put('s', 'k', { value: 1, validtime: 5 }), 400, 'ERR_INVALID_ARGUMENT');
    expect(body.error).toContain('validtime');
    await rejects(() => post('/v1/histories/h/events', { event: {}, key: 'k' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/query', { store: 's', scopes: 'x' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/admin/compact', { everything: true }), 400, 'ERR_INVALID_ARGUMENT');
  });

  it('a missing required field is 400 ERR_INVALID_ARGUMENT', async () => {
    const body = await rejects(() => put('s', 'k', { validTime: 5 }), 400, 'ERR_INVALID_ARGUMENT');
    expect(body.error).toContain('value');
    await rejects(() => post('/v1/histories/h/events', {}), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/admin/backup', {}), 400, 'ERR_INVALID_ARGUMENT');
  });

  it('fields of the wrong type are 400 ERR_INVALID_ARGUMENT', async () => {
    await rejects(() => put('s', 'k', { value: 1, schemaVersion: '2' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => put('s', 'k', { value: 1, producer: 'me' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/histories/h/events', { event: [1, 2] }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/query', { store: 's', limit: 'ten' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/query', { store: 7 }), 400, 'ERR_INVALID_ARGUMENT');
  });

  it('an unknown query parameter is 400 ERR_INVALID_ARGUMENT on every GET route', async () => {
    for (const path of [
      '/v1/health?x=1',
      '/v1/stores?x=1',
      '/v1/stores/s/keys?x=1',
      '/v1/stores/seed/keys/k?asof=1',
      '/v1/stores/seed/keys/k/history?x=1',
      '/v1/stores/seed/keys/k/lineage?x=1',
      '/v1/replay?from=1',
      '/v1/events?x=1',
      '/v1/metrics?x=1',
    ]) {
      await rejects(() => call(`${base}${path}`), 400, 'ERR_INVALID_ARGUMENT');
    }
  });

  it('a write to an internal store is 400 ERR_RESERVED_NAME', async () => {
    await rejects(() => put('__descriptors', 'k', { value: 1 }), 400, 'ERR_RESERVED_NAME');
  });

  it('a value the library refuses keeps its code: an append event must be an object', async () => {
    await rejects(() => post('/v1/histories/h/events', { event: 'text' }), 400, 'ERR_INVALID_ARGUMENT');
  });
});

describe('bad cursors and times', () => {
  it('bad time values are 400 ERR_INVALID_ARGUMENT', async () => {
    for (const query of ['asOf=yesterday', 'asOf=1.5', 'validAt=1e3', 'asOf=9000000000000000', 'asOf=']) {
      await rejects(() => call(keyUrl(base, 'seed', 'k', `?${query}`)), 400, 'ERR_INVALID_ARGUMENT');
    }
    await rejects(() => call(keyUrl(base, 'seed', 'k', '/history?since=soon')), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => put('s', 'k', { value: 1, validTime: 1.5 }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => put('s', 'k', { value: 1, validTime: 1e300 }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => post('/v1/query', { store: 's', asOf: 'now' }), 400, 'ERR_INVALID_ARGUMENT');
  });

  it('bad cursors and limits are 400 ERR_INVALID_ARGUMENT', async () => {
    for (const path of [
      '/v1/replay?after=-1',
      '/v1/replay?after=abc',
      '/v1/replay?limit=0',
      '/v1/replay?limit=10001',
      '/v1/stores/s/keys?limit=0',
      '/v1/stores/s/keys?limit=10001',
      '/v1/events?after=x',
    ]) {
      await rejects(() => call(`${base}${path}`), 400, 'ERR_INVALID_ARGUMENT');
    }
    await rejects(() => post('/v1/query', { store: 's', limit: 0 }), 400, 'ERR_INVALID_ARGUMENT');
  });

  it('an SSE cursor past the last seq is 400 with details', async () => {
    const lastSeq = running.server.store.lastSeq();
    const body = await rejects(
      () => call(`${base}/v1/events?after=${lastSeq + 10}`),
      400,
      'ERR_INVALID_ARGUMENT',
    );
    expect(body.details).toEqual({ after: lastSeq + 10, lastSeq });
    await rejects(
      () => call(`${base}/v1/events`, { headers: { 'last-event-id': String(lastSeq + 1) } }),
      400,
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('bad conditional headers are 400 ERR_INVALID_ARGUMENT', async () => {
    await rejects(() => put('s', 'k', { value: 1 }, { 'if-match': 'abc' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(() => put('s', 'k', { value: 1 }, { 'if-none-match': '"3"' }), 400, 'ERR_INVALID_ARGUMENT');
    await rejects(
      () => put('s', 'k', { value: 1 }, { 'if-match': '1', 'if-none-match': '*' }),
      400,
      'ERR_INVALID_ARGUMENT',
    );
    await rejects(
      () => put('s', 'k', { value: 1 }, { 'idempotency-key': 'x'.repeat(513) }),
      400,
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('an unknown route is 404 ERR_NOT_FOUND', async () => {
    await rejects(() => call(`${base}/v1/nothing`), 404, 'ERR_NOT_FOUND');
  });
});

/** A request to a raw path (not normalised by a URL parser, so "." and ".." segments stay). */
function raw(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('names in paths', () => {
  const names = ['a/b', 'x/history', 'é ü%', '?#&=+', '%2F', 'k;v', ' lead', '🔥'.repeat(256), 'line\nbreak'];

  it('any store and key the library accepts round-trips percent-encoded', async () => {
    for (const name of names) {
      const written = await put(name, name, { value: name });
      expect(written.status).toBe(201);
      const read = json(await call(keyUrl(base, name, name)));
      expect(read.fact).toMatchObject({ store: name, key: name, value: name });
      const keys = json(await call(`${base}/v1/stores/${encodeURIComponent(name)}/keys`));
      expect(keys.keys).toEqual([name]);
    }
  });

  it('"." and ".." are addressable by a client that does not normalise paths', async () => {
    expect((await raw('/v1/stores/dots/keys/.', 'PUT', { value: 'one dot' })).status).toBe(201);
    expect((await raw('/v1/stores/dots/keys/..', 'PUT', { value: 'two dots' })).status).toBe(201);
    const one = await raw('/v1/stores/dots/keys/%2E');
    const two = await raw('/v1/stores/dots/keys/%2E%2E');
    expect(JSON.parse(one.body).fact.value).toBe('one dot');
    expect(JSON.parse(two.body).fact.value).toBe('two dots');
  });

  it('a name the library refuses (over 1024 UTF-8 bytes) is 400 ERR_INVALID_ARGUMENT', async () => {
    await rejects(() => put('s', 'k'.repeat(1025), { value: 1 }), 400, 'ERR_INVALID_ARGUMENT');
  });
});
