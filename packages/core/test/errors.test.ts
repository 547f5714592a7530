import { describe, expect, it } from 'vitest';
import { IgniterError } from '../src/errors.js';
import type { Json } from '../src/json.js';
import { IgniterStore } from '../src/store.js';
import type { StoreOptions, WriteInput } from '../src/store-types.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

class Point {
  x = 1;
}
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const sparse: unknown[] = [1];
sparse[2] = 3;

/** Writes `value` bypassing the static Json type, as untyped callers can. */
const writeRaw = (store: IgniterStore, value: unknown) =>
  store.write({ store: 's', key: 'k', value: value as Json });

describe(`ERR_INVALID_VALUE (${ENGINE_KIND} engine)`, () => {
  it.each([
    ['undefined', undefined],
    ['undefined as an object property', { a: undefined }],
    ['a function', { f: () => 1 }],
    ['a symbol', Symbol('s')],
    ['a bigint', { n: 1n }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map([[1, 2]])],
    ['a class instance', new Point()],
    ['a cycle', cyclic],
    ['a sparse array', sparse],
    ['a lone surrogate in a string', 'a\uD800'],
    ['a lone surrogate in an object key', { '\uDC00': 1 }],
  ])('rejects a written value containing %s', (_name, value) => {
    const { store } = newStore();
    expect(thrown(() => writeRaw(store, value))).toMatchObject({
      name: 'IgniterError',
      code: 'ERR_INVALID_VALUE',
    });
  });

  it.each([
    ['an array', [1]],
    ['a string', 'created'],
    ['null', null],
    ['a number', 1],
    ['a class instance', new Point()],
    ['an object holding NaN', { n: Number.NaN }],
  ])('rejects an appended event that is %s', (_name, event) => {
    const { store } = newStore();
    const error = thrown(() => store.append({ history: 'h', event: event as { [key: string]: Json } }));
    expect(error.code).toBe('ERR_INVALID_VALUE');
  });

  it('rejects non-JSON content inside producer and derivation', () => {
    const { store } = newStore();
    const bad = { when: new Date(0) } as unknown as { [key: string]: Json };
    expect(thrown(() => store.write({ store: 's', key: 'k', value: 1, producer: bad })).code).toBe(
      'ERR_INVALID_VALUE',
    );
    expect(thrown(() => store.append({ history: 'h', event: {}, derivation: bad })).code).toBe(
      'ERR_INVALID_VALUE',
    );
  });

  it('names the offending path in the message', () => {
    const { store } = newStore();
    expect(thrown(() => writeRaw(store, { a: [{ b: undefined }] })).message).toContain('a[0].b');
  });
});

describe(`ERR_INVALID_ARGUMENT: names (${ENGINE_KIND} engine)`, () => {
  it.each([
    ['an empty store', { store: '', key: 'k' }],
    ['an empty key', { store: 's', key: '' }],
    ['a missing store', { key: 'k' }],
    ['a missing key', { store: 's' }],
    ['a store that is not a string', { store: 5, key: 'k' }],
    ['a key that is not a string', { store: 's', key: ['k'] }],
    ['a key with a lone surrogate', { store: 's', key: 'k\uD800' }],
  ])('rejects %s', (_name, names) => {
    const { store } = newStore();
    const error = thrown(() => store.write({ ...(names as { store: string; key: string }), value: 1 }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('accepts names of exactly 1024 UTF-8 bytes and rejects 1025 or more', () => {
    const { store } = newStore();
    const ok = ['a'.repeat(1024), 'é'.repeat(512), `${'€'.repeat(341)}a`, '\u{1F600}'.repeat(256)];
    for (const name of ok) {
      expect(Buffer.byteLength(name)).toBe(1024);
      expect(store.write({ store: name, key: name, value: 1 }).key).toBe(name);
    }
    const tooLong = ['a'.repeat(1025), `${'é'.repeat(512)}a`, '€'.repeat(342), '\u{1F600}'.repeat(257)];
    for (const name of tooLong) {
      expect(thrown(() => store.write({ store: 's', key: name, value: 1 })).code).toBe(
        'ERR_INVALID_ARGUMENT',
      );
      expect(thrown(() => store.write({ store: name, key: 'k', value: 1 })).code).toBe(
        'ERR_INVALID_ARGUMENT',
      );
    }
    expect(thrown(() => store.append({ history: 'é'.repeat(513), event: {} })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => store.read({ store: 's', key: 'a'.repeat(1025) })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects bad names on the read side too', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'x' });
    expect(thrown(() => store.read({ store: '', key: 'k' })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.history({ store: 's', key: '' })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.query({ store: 's', scope: '' })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.causationChain({ store: 's', key: '' })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.lineage({ store: '', key: 'k' })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects timeTravel without a time', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    const input = { store: 's', key: 'k' } as Parameters<IgniterStore['timeTravel']>[0];
    expect(thrown(() => store.timeTravel(input)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects an input that is not an object', () => {
    const { store } = newStore();
    expect(thrown(() => store.write(null as unknown as WriteInput)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.read('s/k' as unknown as { store: string; key: string })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => store.writeMany({} as unknown as WriteInput[])).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.writeMany([1 as unknown as WriteInput])).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe(`ERR_INVALID_ARGUMENT: times (${ENGINE_KIND} engine)`, () => {
  const badTimes: Array<[string, unknown]> = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an invalid Date', new Date('not a date')],
    ['a date string', '2024-01-01'],
    ['an object', { ms: 1 }],
    ['null', null],
  ];

  it.each(badTimes)('rejects %s as validTime', (_name, time) => {
    const { store } = newStore();
    const validTime = time as number;
    expect(thrown(() => store.write({ store: 's', key: 'k', value: 1, validTime })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => store.append({ history: 'h', event: {}, validTime })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it.each(badTimes)('rejects %s as asOf, since, validAt and at', (_name, time) => {
    const { store } = newStore();
    store.registerPath({ store: 's' });
    const t = time as number;
    const calls: Array<() => unknown> = [
      () => store.read({ store: 's', key: 'k', asOf: t }),
      () => store.read({ store: 's', key: 'k', validAt: t }),
      () => store.timeTravel({ store: 's', key: 'k', at: t }),
      () => store.history({ store: 's', since: t }),
      () => store.history({ store: 's', asOf: t }),
      () => store.history({ store: 's', validAt: t }),
      () => store.historyPartition({ store: 's', partitionKey: 'p', partitionValue: 1, since: t }),
      () => store.historyPartition({ store: 's', partitionKey: 'p', partitionValue: 1, asOf: t }),
      () => store.query({ store: 's', asOf: t }),
      () => store.query({ store: 's', validAt: t }),
      () => store.factLogAll({ since: t }),
      () => store.factLogAll({ asOf: t }),
    ];
    for (const call of calls) expect(thrown(call).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['a string', '10'],
  ])('rejects a %s ttl or cacheTtl', (_name, ttl) => {
    const { store } = newStore();
    const t = ttl as number;
    store.registerPath({ store: 's' });
    expect(thrown(() => store.read({ store: 's', key: 'k', ttl: t })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.query({ store: 's', ttl: t })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.registerPath({ store: 's', scope: 'x', cacheTtl: t })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});

describe(`ERR_INVALID_ARGUMENT: write options (${ENGINE_KIND} engine)`, () => {
  const write = (extra: Record<string, unknown>) => {
    const { store } = newStore();
    return thrown(() => store.write({ store: 's', key: 'k', value: 1, ...extra } as WriteInput));
  };

  it.each([0, -1, 1.5, '2', Number.NaN])('rejects schemaVersion %s', (schemaVersion) => {
    expect(write({ schemaVersion }).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each(['', 5, {}, 'id\uD800'])('rejects causation %j', (causation) => {
    expect(write({ causation }).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['an array', []],
    ['a string', 'system'],
    ['a number', 1],
    ['a class instance', new Point()],
  ])('rejects producer and derivation that are %s', (_name, meta) => {
    expect(write({ producer: meta }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(write({ derivation: meta }).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('accepts an idempotency key of 1 to 512 characters only', () => {
    const { store } = newStore();
    expect(store.write({ store: 's', key: 'a', value: 1, idempotencyKey: 'x' }).idempotencyKey).toBe('x');
    expect(
      store.write({ store: 's', key: 'b', value: 1, idempotencyKey: 'y'.repeat(512) }).idempotencyKey,
    ).toBe('y'.repeat(512));
    expect(write({ idempotencyKey: '' }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(write({ idempotencyKey: 'z'.repeat(513) }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(write({ idempotencyKey: 7 }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(write({ idempotencyKey: 'req\uDC00' }).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['seq 0', { seq: 0 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a string seq', { seq: '1' }],
    ['absent false', { absent: false }],
    ['both seq and absent', { seq: 1, absent: true }],
    ['an empty object', {}],
    ['a string', 'absent'],
  ])('rejects an expect of %s', (_name, expectation) => {
    expect(write({ expect: expectation }).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe(`ERR_INVALID_ARGUMENT: store options and registrations (${ENGINE_KIND} engine)`, () => {
  it.each([
    ['a negative lruCap', { lruCap: -1 }],
    ['a fractional lruCap', { lruCap: 1.5 }],
    ['a clock that is not a function', { clock: 5 }],
    ['an onRuleError that is not a function', { onRuleError: 'log' }],
    ['a maxValueBytes of 0', { maxValueBytes: 0 }],
    ['an unknown engine', { engine: 'turbo' }],
  ])('rejects %s', (_name, options) => {
    expect(thrown(() => new IgniterStore(options as StoreOptions)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects options that are not an object', () => {
    expect(thrown(() => new IgniterStore('fast' as unknown as StoreOptions)).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('rejects bad path registrations', () => {
    const { store } = newStore();
    const register = (input: Record<string, unknown>) =>
      thrown(() =>
        store.registerPath({ store: 's', ...input } as Parameters<IgniterStore['registerPath']>[0]),
      );
    expect(register({ consumers: [() => undefined, 'nope'] }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ consumers: () => undefined }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ filters: ['status'] }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ filters: 'status' }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ lookup: 5 }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ scope: '' }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(register({ filters: { at: Number.NaN } }).code).toBe('ERR_INVALID_VALUE');
    expect(store.schemaGraph.metadataSnapshot()).toEqual({});
  });
});

describe(`ERR_VALUE_TOO_LARGE (${ENGINE_KIND} engine)`, () => {
  it('accepts a value whose canonical form is exactly maxValueBytes and rejects one byte more', () => {
    const { store } = newStore({ maxValueBytes: 16 });
    expect(store.write({ store: 's', key: 'k', value: 'x'.repeat(14) }).value).toBe('x'.repeat(14));
    expect(thrown(() => store.write({ store: 's', key: 'k', value: 'x'.repeat(15) })).code).toBe(
      'ERR_VALUE_TOO_LARGE',
    );
  });

  it('counts UTF-8 bytes, not characters', () => {
    const { store } = newStore({ maxValueBytes: 16 });
    expect(store.write({ store: 's', key: 'k', value: 'é'.repeat(7) }).seq).toBe(1);
    expect(thrown(() => store.write({ store: 's', key: 'k', value: `${'é'.repeat(7)}x` })).code).toBe(
      'ERR_VALUE_TOO_LARGE',
    );
  });

  it('applies to appended events and to batches', () => {
    const { store } = newStore({ maxValueBytes: 16 });
    expect(thrown(() => store.append({ history: 'h', event: { text: 'x'.repeat(10) } })).code).toBe(
      'ERR_VALUE_TOO_LARGE',
    );
    const error = thrown(() =>
      store.writeMany([
        { store: 's', key: 'a', value: 1 },
        { store: 's', key: 'b', value: 'x'.repeat(20) },
      ]),
    );
    expect(error.code).toBe('ERR_VALUE_TOO_LARGE');
    expect(store.factCount()).toBe(0);
  });

  it('holds values to 16 MiB of canonical JSON by default', () => {
    const { store } = newStore();
    const limit = 16 * 1024 * 1024;
    // A string's canonical form adds its two quotes.
    expect(store.write({ store: 's', key: 'fits', value: 'x'.repeat(limit - 2) }).seq).toBe(1);
    expect(thrown(() => store.write({ store: 's', key: 'over', value: 'x'.repeat(limit - 1) })).code).toBe(
      'ERR_VALUE_TOO_LARGE',
    );
    expect(store.factCount()).toBe(1);
  });
});

describe(`ERR_RESERVED_NAME (${ENGINE_KIND} engine)`, () => {
  it('rejects user writes, appends and batches into stores whose names start with "__"', () => {
    const { store } = newStore();
    expect(thrown(() => store.write({ store: '__receipts', key: 'k', value: 1 })).code).toBe(
      'ERR_RESERVED_NAME',
    );
    expect(thrown(() => store.append({ history: '__rel_x', event: {} })).code).toBe('ERR_RESERVED_NAME');
    expect(
      thrown(() =>
        store.writeMany([
          { store: 'ok', key: 'k', value: 1 },
          { store: '__descriptors', key: 'k', value: 1 },
        ]),
      ).code,
    ).toBe('ERR_RESERVED_NAME');
    expect(store.factCount()).toBe(0);
  });

  it('allows store names with a single leading underscore or "__" elsewhere', () => {
    const { store } = newStore();
    expect(store.write({ store: '_private', key: 'k', value: 1 }).store).toBe('_private');
    expect(store.write({ store: 'a__b', key: '__k', value: 1 }).key).toBe('__k');
  });
});

describe(`ERR_CLOSED (${ENGINE_KIND} engine)`, () => {
  async function closedStore() {
    const made = newStore();
    made.store.registerPath({ store: 's' });
    const fact = made.store.write({ store: 's', key: 'k', value: 1 });
    await made.store.close();
    return { ...made, fact };
  }

  it('is thrown by every call after close()', async () => {
    const { store, fact } = await closedStore();
    const calls: Array<[string, () => unknown]> = [
      ['write', () => store.write({ store: 's', key: 'k', value: 2 })],
      ['writeMany', () => store.writeMany([{ store: 's', key: 'k', value: 2 }])],
      ['append', () => store.append({ history: 'h', event: {} })],
      ['read', () => store.read({ store: 's', key: 'k' })],
      ['timeTravel', () => store.timeTravel({ store: 's', key: 'k', at: 1 })],
      ['history', () => store.history({ store: 's' })],
      [
        'historyPartition',
        () => store.historyPartition({ store: 's', partitionKey: 'p', partitionValue: 1 }),
      ],
      ['query', () => store.query({ store: 's' })],
      ['factById', () => store.factById(fact.id)],
      ['factRef', () => store.factRef(fact.id)],
      ['factCount', () => store.factCount()],
      ['factLogAll', () => store.factLogAll()],
      ['causationChain', () => store.causationChain({ store: 's', key: 'k' })],
      ['lineage', () => store.lineage({ store: 's', key: 'k' })],
      ['registerPath', () => store.registerPath({ store: 't' })],
      ['registerCoercion', () => store.registerCoercion('s', (v) => v)],
      ['storageStats', () => store.storageStats()],
      ['segmentManifest', () => store.segmentManifest()],
    ];
    for (const [name, call] of calls) {
      expect({ name, code: thrown(call).code }).toEqual({ name, code: 'ERR_CLOSED' });
    }
  });

  it('makes checkpoint() reject with ERR_CLOSED', async () => {
    const { store } = await closedStore();
    await expect(store.checkpoint()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('makes flush() reject with ERR_CLOSED', async () => {
    const { store } = await closedStore();
    await expect(store.flush()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('lets a second close() resolve', async () => {
    const { store } = await closedStore();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('keeps the getters working', async () => {
    const { store } = await closedStore();
    expect(store.engine).toBe(ENGINE_KIND);
    expect(store.schemaGraph.registeredStores()).toEqual(['s']);
    expect(store.changefeed).toBeUndefined();
  });
});

describe(`IgniterError (${ENGINE_KIND} engine)`, () => {
  it('is an Error with a stable code and structured details', () => {
    const { store } = newStore();
    const error = thrown(() => store.query({ store: 's', scope: 'x' }));
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(IgniterError);
    expect(error.name).toBe('IgniterError');
    expect(error.code).toBe('ERR_NO_PATH');
  });
});
