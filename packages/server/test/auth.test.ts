import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { call, json, keyUrl, type Running, start, tempDir } from './support/harness.js';
import { openSse } from './support/sse.js';

const temp = tempDir();
let running: Running;
let base = '';

const ADMIN = 'admin-secret';
const APP = 'app-secret';
const READER = 'reader-secret';
const HASHED = 'hashed-secret';

beforeAll(async () => {
  running = await start({
    path: join(temp.dir, 'auth.log'),
    tokens: [
      { name: 'admin', token: ADMIN, admin: true },
      { name: 'app', token: APP, read: ['app*'], write: ['app*'] },
      { name: 'reader', token: READER, read: ['app/*'] },
      { name: 'hashed', tokenSha256: createHash('sha256').update(HASHED).digest('hex'), write: ['hashed'] },
    ],
  });
  base = running.url;
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

function dispatchAs(token: string, op: string, packet: Record<string, unknown>) {
  return call(`${base}/v1/dispatch`, {
    method: 'POST',
    token,
    body: { protocol: 'igniter_store', schema_version: 1, op, packet },
  });
}

describe('bearer tokens', () => {
  it('a request without a token is 401 ERR_UNAUTHORIZED with a Bearer challenge', async () => {
    const answer = await call(`${base}/v1/stores`);
    expect([answer.status, json(answer).error_code]).toEqual([401, 'ERR_UNAUTHORIZED']);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('an unknown token is 401 ERR_UNAUTHORIZED', async () => {
    const answer = await call(`${base}/v1/stores`, { token: 'guess' });
    expect([answer.status, json(answer).error_code]).toEqual([401, 'ERR_UNAUTHORIZED']);
  });

  it('GET /v1/health needs no token', async () => {
    expect((await call(`${base}/v1/health`)).status).toBe(200);
  });

  it('a token writes and reads the stores its globs match ("*" also crosses "/")', async () => {
    const written = await call(keyUrl(base, 'app/orders', 'o1'), {
      method: 'PUT',
      token: APP,
      body: { value: 1 },
    });
    expect(written.status).toBe(201);
    expect((await call(keyUrl(base, 'app/orders', 'o1'), { token: READER })).status).toBe(200);
  });

  it('a store outside the globs is 403 ERR_FORBIDDEN and nothing is written', async () => {
    const before = running.server.store.lastSeq();
    const answer = await call(keyUrl(base, 'billing', 'b1'), {
      method: 'PUT',
      token: APP,
      body: { value: 1 },
    });
    expect([answer.status, json(answer).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    const readOnly = await call(keyUrl(base, 'app/orders', 'o2'), {
      method: 'PUT',
      token: READER,
      body: { value: 1 },
    });
    expect([readOnly.status, json(readOnly).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    expect(running.server.store.lastSeq()).toBe(before);
  });

  it('a token given as its SHA-256 is accepted', async () => {
    const answer = await call(keyUrl(base, 'hashed', 'k'), {
      method: 'PUT',
      token: HASHED,
      body: { value: 1 },
    });
    expect(answer.status).toBe(201);
  });

  it('admin routes need an admin token', async () => {
    const denied = await call(`${base}/v1/admin/verify`, { method: 'POST', token: APP });
    expect([denied.status, json(denied).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
    const allowed = await call(`${base}/v1/admin/verify`, { method: 'POST', token: ADMIN });
    expect([allowed.status, json(allowed).ok]).toEqual([200, true]);
  });

  it('GET /v1/stores lists only the stores a token may read', async () => {
    await call(keyUrl(base, 'secret', 'k'), { method: 'PUT', token: ADMIN, body: { value: 1 } });
    const stores = json(await call(`${base}/v1/stores`, { token: READER })) as unknown as Array<{
      store: string;
    }>;
    expect(stores.map((entry) => entry.store)).toEqual(['app/orders']);
  });

  it('on /v1/dispatch a store outside the globs is an ERR_FORBIDDEN envelope with HTTP 200', async () => {
    const before = running.server.store.lastSeq();
    const answer = await dispatchAs(APP, 'write', { store: 'billing', key: 'k', value: 1 });
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ status: 'error', error_code: 'ERR_FORBIDDEN' });
    expect(running.server.store.lastSeq()).toBe(before);
    const allowed = await dispatchAs(APP, 'read', { store: 'app/orders', key: 'o1' });
    expect(json(allowed)).toMatchObject({ status: 'ok', result: { found: true } });
  });

  it('on /v1/dispatch an op over every store needs a token for every store', async () => {
    const denied = await dispatchAs(APP, 'replay', {});
    expect(json(denied)).toMatchObject({ status: 'error', error_code: 'ERR_FORBIDDEN' });
    const scoped = await dispatchAs(APP, 'replay', { filter: { store: 'app/orders' } });
    expect(json(scoped)).toMatchObject({ status: 'ok' });
  });

  it('on /v1/dispatch, running a rule (rebuild) needs an admin token', async () => {
    const denied = await dispatchAs(APP, 'rebuild', { name: 'anything' });
    expect(json(denied)).toMatchObject({ status: 'error', error_code: 'ERR_FORBIDDEN' });
    const admin = await dispatchAs(ADMIN, 'rebuild', { name: 'anything' });
    expect(json(admin)).toMatchObject({ status: 'error', error_code: 'ERR_INVALID_ARGUMENT' });
  });

  it('?access_token= is accepted on /v1/events only', async () => {
    const stream = await openSse(`${base}/v1/events?access_token=${READER}&stores=app/orders`);
    expect(stream.status).toBe(200);
    stream.close();
    const elsewhere = await call(`${base}/v1/stores?access_token=${READER}`);
    expect(elsewhere.status).toBe(401);
  });

  it('an SSE stream without a stores filter carries only the stores the token may read', async () => {
    const stream = await openSse(`${base}/v1/events?access_token=${READER}`);
    await call(keyUrl(base, 'secret', 'k'), { method: 'PUT', token: ADMIN, body: { value: 2 } });
    await call(keyUrl(base, 'app/orders', 'o9'), { method: 'PUT', token: APP, body: { value: 9 } });
    const [event] = await stream.waitFor(1);
    expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ store: 'app/orders', key: 'o9' });
    stream.close();
  });

  it('an SSE stream naming a store outside the globs is 403', async () => {
    const answer = await call(`${base}/v1/events?stores=secret`, { token: READER });
    expect([answer.status, json(answer).error_code]).toEqual([403, 'ERR_FORBIDDEN']);
  });
});

describe('logs', () => {
  it('a request log never holds the access_token of an SSE URL', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    let logged = '';
    stream.on('data', (chunk) => (logged += chunk));
    const logging = await start({
      path: join(temp.dir, 'logged.log'),
      tokens: [{ name: 'reader', token: READER, read: ['*'] }],
      log: { level: 'info', stream },
    });
    try {
      const sse = await openSse(`${logging.url}/v1/events?access_token=${READER}`);
      sse.close();
      await call(`${logging.url}/v1/stores`, { token: READER });
    } finally {
      await logging.close();
    }
    expect(logged).toContain('"url":"/v1/events?access_token=[redacted]"');
    expect(logged).toContain('"url":"/v1/stores"');
    expect(logged).not.toContain(READER);
  });
});

describe('binding', () => {
  it('refuses a non-loopback host without tokens (ERR_INVALID_ARGUMENT)', () => {
    expect(() => createServer({ path: join(temp.dir, 'open.log'), host: '0.0.0.0' })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('without tokens, a request naming a non-loopback Host is 403 (no DNS rebinding)', async () => {
    const open = await start({ path: join(temp.dir, 'loopback.log') });
    try {
      const port = new URL(open.url).port;
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/v1/stores', headers: { host: `evil.example:${port}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
      expect((await call(`${open.url}/v1/stores`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
