import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { IgniterError as CoreIgniterError, IgniterStore } from '@igniter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type IgniterClient, IgniterError } from '../src/index.js';
import { type Running, startServer, tempDir } from './support/server.js';

/** The rejection of `promise`, asserted to be an IgniterError. */
async function failure(promise: Promise<unknown>): Promise<IgniterError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(IgniterError);
  return error as IgniterError;
}

const temp = tempDir();
let running: Running;
let client: IgniterClient;

beforeAll(async () => {
  running = await startServer({ path: join(temp.dir, 'errors.log'), limits: { bodyBytes: 64 * 1024 } });
  client = createClient({ url: running.url });
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

describe('errors the server answers, as IgniterError with its code and details', () => {
  it('errors are instances of the IgniterError class of @igniter/core itself', async () => {
    const error = await failure(client.write({ store: '__internal', key: 'k', value: 1 }));
    expect(error).toBeInstanceOf(CoreIgniterError);
    expect(IgniterError).toBe(CoreIgniterError);
  });

  it('a write to a "__" store is ERR_RESERVED_NAME', async () => {
    expect((await failure(client.write({ store: '__internal', key: 'k', value: 1 }))).code).toBe(
      'ERR_RESERVED_NAME',
    );
  });

  it('an expectation that does not hold is ERR_CONFLICT with the library details, and writes nothing', async () => {
    const first = await client.write({ store: 'c', key: 'k', value: 1 });
    const error = await failure(
      client.write({ store: 'c', key: 'k', value: 2, expect: { seq: first.seq + 100 } }),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toEqual({
      store: 'c',
      key: 'k',
      expected: { seq: first.seq + 100 },
      actualSeq: first.seq,
    });
    expect(await client.read({ store: 'c', key: 'k' })).toBe(1);
  });

  it('expect absent on a key that has a fact is ERR_CONFLICT', async () => {
    await client.write({ store: 'c2', key: 'k', value: 1 });
    const error = await failure(client.write({ store: 'c2', key: 'k', value: 2, expect: { absent: true } }));
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toMatchObject({ store: 'c2', key: 'k', expected: { absent: true } });
  });

  it('an idempotencyKey reused with another value is ERR_CONFLICT naming the original fact', async () => {
    const first = await client.write({ store: 'c3', key: 'k', value: 1, idempotencyKey: 'once' });
    const error = await failure(client.write({ store: 'c3', key: 'k', value: 2, idempotencyKey: 'once' }));
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toEqual({ store: 'c3', idempotencyKey: 'once', factId: first.id });
  });

  it('a query of an unregistered scope is ERR_NO_PATH', async () => {
    expect((await failure(client.query({ store: 'c', scope: 'nope' }))).code).toBe('ERR_NO_PATH');
  });

  it('a time the server refuses is ERR_INVALID_ARGUMENT', async () => {
    const error = await failure(client.read({ store: 'c', key: 'k', asOf: 1.5 }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('a value with a lone surrogate is ERR_INVALID_VALUE from the server', async () => {
    const error = await failure(client.write({ store: 'c', key: 'k', value: 'broken \ud800' }));
    expect(error.code).toBe('ERR_INVALID_VALUE');
  });

  it('a body over the server limit is ERR_VALUE_TOO_LARGE', async () => {
    const error = await failure(client.write({ store: 'c', key: 'big', value: 'x'.repeat(100 * 1024) }));
    expect(error.code).toBe('ERR_VALUE_TOO_LARGE');
    expect(await client.read({ store: 'c', key: 'big' })).toBeUndefined();
  });

  it('a subscription to a server whose store has no changefeed throws ERR_NOT_FOUND', async () => {
    const store = new IgniterStore();
    const bare = await startServer({ store });
    try {
      const stream = createClient({ url: bare.url }).subscribe({ after: 0 });
      const error = await failure(stream[Symbol.asyncIterator]().next());
      expect(error.code).toBe('ERR_NOT_FOUND');
    } finally {
      await bare.close();
      await store.close();
    }
  });

  it('past the per-token rate it is ERR_RATE_LIMITED', async () => {
    const limited = await startServer({ path: join(temp.dir, 'rate.log'), limits: { requestsPerSecond: 2 } });
    try {
      const hasty = createClient({ url: limited.url });
      const codes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        codes.push(
          await hasty.stores().then(
            () => 'ok',
            (error: IgniterError) => error.code,
          ),
        );
      }
      expect(codes).toEqual(['ok', 'ok', 'ERR_RATE_LIMITED', 'ERR_RATE_LIMITED']);
    } finally {
      await limited.close();
    }
  });
});

describe('errors of the tokens', () => {
  let guarded: Running;
  beforeAll(async () => {
    guarded = await startServer({
      path: join(temp.dir, 'tokens.log'),
      tokens: [
        { name: 'app', token: 'app-secret', read: ['*'], write: ['app'] },
        { name: 'viewer', token: 'viewer-secret', read: ['app'] },
      ],
    });
  });
  afterAll(() => guarded.close());

  it('no token is ERR_UNAUTHORIZED', async () => {
    expect((await failure(createClient({ url: guarded.url }).stores())).code).toBe('ERR_UNAUTHORIZED');
  });

  it('an unknown token is ERR_UNAUTHORIZED', async () => {
    const stranger = createClient({ url: guarded.url, token: 'guess' });
    expect((await failure(stranger.stores())).code).toBe('ERR_UNAUTHORIZED');
  });

  it('a token without write rights reads but its write is ERR_FORBIDDEN and writes nothing', async () => {
    const app = createClient({ url: guarded.url, token: 'app-secret' });
    const viewer = createClient({ url: guarded.url, token: 'viewer-secret' });
    await app.write({ store: 'app', key: 'k', value: 'by app' });
    expect(await viewer.read({ store: 'app', key: 'k' })).toBe('by app');
    expect((await failure(viewer.write({ store: 'app', key: 'k', value: 'by viewer' }))).code).toBe(
      'ERR_FORBIDDEN',
    );
    expect((await failure(viewer.append({ history: 'app', event: { n: 1 } }))).code).toBe('ERR_FORBIDDEN');
    expect(await app.history({ store: 'app', key: 'k' })).toHaveLength(1);
  });

  it('a token reading a store outside its globs is ERR_FORBIDDEN', async () => {
    const viewer = createClient({ url: guarded.url, token: 'viewer-secret' });
    expect((await failure(viewer.read({ store: 'other', key: 'k' }))).code).toBe('ERR_FORBIDDEN');
  });
});

describe('errors of the connection', () => {
  it('a server that cannot be reached is ERR_NETWORK with the platform error as cause', async () => {
    const away = createHttpServer();
    await new Promise<void>((resolve) => away.listen(0, '127.0.0.1', resolve));
    const { port } = away.address() as AddressInfo;
    await new Promise((resolve) => away.close(resolve));
    const error = await failure(createClient({ url: `http://127.0.0.1:${port}` }).stores());
    expect(error.code).toBe('ERR_NETWORK');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a server that does not answer within timeoutMs is ERR_TIMEOUT', async () => {
    const silent: Server = createHttpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      const error = await failure(createClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 }).stores());
      expect(error.code).toBe('ERR_TIMEOUT');
      expect(error.details).toEqual({ timeoutMs: 200 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('an HTTP answer that is not an Igniter error body is ERR_NETWORK with its status', async () => {
    const proxy = createHttpServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const error = await failure(createClient({ url: `http://127.0.0.1:${port}` }).stores());
      expect(error.code).toBe('ERR_NETWORK');
      expect(error.details).toEqual({ status: 502 });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  describe('a connection cut before any answer', () => {
    let cutter: Server;
    let url = '';
    const seen: string[] = [];
    beforeAll(async () => {
      // Cuts the first request of each kind, answers the second.
      cutter = createHttpServer((request, response) => {
        const kind = `${request.method} ${request.url}`;
        const count = seen.filter((entry) => entry === kind).length;
        seen.push(kind);
        if (count === 0) {
          request.socket.destroy();
          return;
        }
        const fact = { id: 'f', seq: 1, store: 's', key: 'k', value: 1 };
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(request.method === 'GET' ? [] : { fact }));
      });
      await new Promise<void>((resolve) => cutter.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(cutter.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => cutter.close(resolve)));

    it('a read is sent once more and answers', async () => {
      expect(await createClient({ url }).stores()).toEqual([]);
      expect(seen.filter((entry) => entry === 'GET /v1/stores')).toHaveLength(2);
    });

    it('a write with an idempotencyKey is sent once more and answers', async () => {
      const fact = await createClient({ url }).write({
        store: 's',
        key: 'k',
        value: 1,
        idempotencyKey: 'retry-me',
      });
      expect(fact.seq).toBe(1);
      expect(seen.filter((entry) => entry === 'PUT /v1/stores/s/keys/k')).toHaveLength(2);
    });

    it('a write without one is ERR_NETWORK and is not sent again', async () => {
      const error = await failure(createClient({ url }).append({ history: 'h', event: { n: 1 } }));
      expect(error.code).toBe('ERR_NETWORK');
      expect(seen.filter((entry) => entry === 'POST /v1/histories/h/events')).toHaveLength(1);
    });
  });
});
