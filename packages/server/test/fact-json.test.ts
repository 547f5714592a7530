import { type Fact, IgniterStore, type Json } from '@igniter/core';
import { afterAll, describe, expect, it } from 'vitest';
import { factJson, factsJson } from '../src/fact-json.js';
import { call, keyUrl, start } from './support/harness.js';

// Values whose JSON text is the same however it is written: strings needing every kind of
// escape, numbers in each ECMAScript format, nesting, and object keys in sorted order.
const VALUES: Json[] = [
  null,
  true,
  0,
  -1.5,
  1e21,
  1e-7,
  0.1,
  2 ** 53 + 2,
  'plain',
  'quote " backslash \\ slash / tab \t newline \n nul \u0000 del \u007f',
  'line separator \u2028 paragraph \u2029 é 日本 😀',
  [],
  {},
  [1, 'two', [3, { a: null }]],
  { a: 1, b: { c: [true, false], d: 'x' }, 'ü key': '"', z: [] },
];

const store = new IgniterStore();
afterAll(() => store.close());

function written(value: Json, extra: Record<string, unknown> = {}): Fact {
  return store.write({ store: 'json', key: `k${Math.random()}`, value, ...extra });
}

describe(`factJson (${store.engine} engine)`, () => {
  it('writes exactly JSON.stringify(fact) for the fact a write returns and for a read one', () => {
    for (const value of VALUES) {
      const fact = written(value);
      expect(factJson(fact)).toBe(JSON.stringify(fact));
      const read = store.readFact({ store: 'json', key: fact.key }) as Fact;
      expect(factJson(read)).toBe(JSON.stringify(read));
      // Serialising a read fact after its value was decoded gives the same text.
      expect(read.value).toEqual(value);
      expect(factJson(read)).toBe(JSON.stringify(read));
    }
  });

  it('writes every optional field: causation, validTime, producer, idempotency key, odd names', () => {
    const first = written({ n: 1 });
    const fact = store.write({
      store: 'json "odd" \\ store',
      key: 'key \u2028 "quoted" 😀',
      value: { n: 2 },
      causation: first.id,
      validTime: -5,
      schemaVersion: 3,
      producer: { kind: 'test', nested: { list: [1, 'a'] } },
      idempotencyKey: 'idem "key"',
    });
    expect(fact.producer).not.toBeNull();
    expect(factJson(fact)).toBe(JSON.stringify(fact));
    expect(JSON.parse(factJson(fact))).toEqual({ ...fact, value: { n: 2 } });
  });

  it('keeps the value of an object with integer-like keys (their order may differ from JavaScript)', () => {
    const value = { '10': 'ten', '9': 'nine', a: { '2': 2, '11': 11 } };
    const fact = written(value);
    expect(JSON.parse(factJson(fact))).toEqual(JSON.parse(JSON.stringify(fact)));
    expect(JSON.parse(factJson(fact)).value).toEqual(value);
  });

  it('factsJson writes a JSON array of facts', () => {
    const facts = [written(1), written({ b: [2] })];
    expect(factsJson(facts)).toBe(JSON.stringify(facts));
    expect(factsJson([])).toBe('[]');
  });
});

describe('fact bodies over HTTP', () => {
  it('answers a read and a write with the fact as JSON, under a JSON content type', async () => {
    const served = new IgniterStore();
    const running = await start({ store: served });
    try {
      const value = { title: 'a "task"', tags: ['x', 'ü'], n: 42 };
      const put = await call(keyUrl(running.url, 'bodies', 'k1'), { method: 'PUT', body: { value } });
      expect(put.status).toBe(201);
      expect(put.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const fact = served.readFact({ store: 'bodies', key: 'k1' }) as Fact;
      expect(put.text).toBe(JSON.stringify({ fact }));
      const get = await call(keyUrl(running.url, 'bodies', 'k1'));
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(get.text).toBe(JSON.stringify({ fact }));
      const history = await call(keyUrl(running.url, 'bodies', 'k1', '/history'));
      expect(history.text).toBe(JSON.stringify({ facts: [fact] }));
    } finally {
      await running.close();
      await served.close();
    }
  });
});
