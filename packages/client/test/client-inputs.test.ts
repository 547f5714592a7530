import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type IgniterClient, IgniterError } from '../src/index.js';
import { type Running, startServer, tempDir } from './support/server.js';

/** The synchronous or asynchronous failure of `run`, asserted to be an IgniterError. */
async function failure(run: () => unknown): Promise<IgniterError> {
  let error: unknown;
  try {
    await run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(IgniterError);
  return error as IgniterError;
}

const temp = tempDir();
let running: Running;
let client: IgniterClient;
let sent = 0;

beforeAll(async () => {
  running = await startServer({ path: join(temp.dir, 'inputs.log') });
  // Counts what reaches the network: a refused input must send nothing.
  client = createClient({
    url: running.url,
    fetch: (input, init) => {
      sent += 1;
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

describe('inputs the client refuses before sending anything', () => {
  it.each([
    ['undefined inside an object', { a: undefined }],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    ['a sparse array', [1, , 3]],
  ])('a value holding %s is ERR_INVALID_VALUE', async (_label, value) => {
    const before = sent;
    const error = await failure(() => client.write({ store: 's', key: 'k', value: value as never }));
    expect(error.code).toBe('ERR_INVALID_VALUE');
    expect(sent).toBe(before);
  });

  it('a cyclic value is ERR_INVALID_VALUE', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await failure(() => client.write({ store: 's', key: 'k', value: cyclic as never }))).code).toBe(
      'ERR_INVALID_VALUE',
    );
  });

  it('an event that is not an object is ERR_INVALID_VALUE', async () => {
    expect((await failure(() => client.append({ history: 'h', event: [1] as never }))).code).toBe(
      'ERR_INVALID_VALUE',
    );
  });

  it('an unknown field is ERR_INVALID_ARGUMENT naming it', async () => {
    const error = await failure(() =>
      client.write({ store: 's', key: 'k', value: 1, validtime: 5 } as never),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('"validtime"');
  });

  it.each([
    ['an empty key', { store: 's', key: '' }],
    ['a key "."', { store: 's', key: '.' }],
    ['a key ".."', { store: 's', key: '..' }],
    ['a key with a lone surrogate', { store: 's', key: '\ud800' }],
  ])('%s is ERR_INVALID_ARGUMENT', async (_label, input) => {
    expect((await failure(() => client.read(input))).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('an idempotencyKey that cannot travel in a header is ERR_INVALID_ARGUMENT', async () => {
    const error = await failure(() =>
      client.write({ store: 's', key: 'k', value: 1, idempotencyKey: 'clé\n' }),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('an expect of another shape is ERR_INVALID_ARGUMENT', async () => {
    const error = await failure(() =>
      client.write({ store: 's', key: 'k', value: 1, expect: { seq: 1, absent: true } as never }),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('names that need percent-encoding reach the store as they are', async () => {
    const store = 'tenant/1 ü';
    const key = 'a/b?c#d%e';
    await client.write({ store, key, value: 'odd' });
    expect(await client.read({ store, key })).toBe('odd');
    expect((await client.keys({ store })).keys).toEqual([key]);
  });
});

describe('createClient options', () => {
  it.each([
    ['no url', {}],
    ['a url that is not http', { url: 'ftp://127.0.0.1' }],
    ['a url with a query', { url: 'http://127.0.0.1:1/?x=1' }],
    ['an unknown option', { url: 'http://127.0.0.1:1', timeout: 5 }],
    ['a timeoutMs of 0', { url: 'http://127.0.0.1:1', timeoutMs: 0 }],
    ['a token with a newline', { url: 'http://127.0.0.1:1', token: 'a\nb' }],
  ])('%s is ERR_INVALID_ARGUMENT', async (_label, options) => {
    expect((await failure(() => createClient(options as never))).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('a base URL with a path prefix keeps it', () => {
    expect(createClient({ url: 'https://example.test/igniter' }).url).toBe('https://example.test/igniter/');
  });
});
