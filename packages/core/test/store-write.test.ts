import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../src/fact.js';
import type { Json, JsonObject } from '../src/json.js';
import { IgniterStore } from '../src/store.js';
import { canonicalJson, valueHash } from '../src/values.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe(`write (${ENGINE_KIND} engine)`, () => {
  it('returns a fact with every field of the Fact contract', () => {
    const { store } = newStore();
    const fact = store.write({ store: 'tasks', key: 't1', value: { title: 'A' } });
    expect(Object.keys(fact).sort()).toEqual(
      [
        'causation',
        'derivation',
        'id',
        'idempotencyKey',
        'key',
        'producer',
        'schemaVersion',
        'seq',
        'store',
        'transactionTime',
        'validTime',
        'value',
        'valueHash',
      ].sort(),
    );
    expect(fact).toMatchObject({
      seq: 1,
      store: 'tasks',
      key: 't1',
      value: { title: 'A' },
      causation: null,
      transactionTime: 1_000,
      validTime: null,
      schemaVersion: 1,
      producer: null,
      derivation: null,
      idempotencyKey: null,
    });
  });

  it('gives each fact a lowercase UUIDv7 id whose timestamp is its transaction time', () => {
    const { store, time } = newStore();
    time.set(1_714_200_123_456);
    const fact = store.write({ store: 's', key: 'k', value: 1 });
    expect(fact.id).toMatch(UUID_V7);
    expect(Number.parseInt(fact.id.replace(/-/g, '').slice(0, 12), 16)).toBe(1_714_200_123_456);
  });

  it('hashes the canonical JSON of the value with SHA-256', () => {
    const { store } = newStore();
    const fact = store.write({ store: 's', key: 'k', value: { b: 2, a: [1, 'x'] } });
    expect(fact.valueHash).toBe(sha256('{"a":[1,"x"],"b":2}'));
  });

  it('gives equal hashes to values that differ only in key order', () => {
    const { store } = newStore();
    const a = store.write({ store: 's', key: 'a', value: { b: 2, a: 1 } });
    const b = store.write({ store: 's', key: 'b', value: { a: 1, b: 2 } });
    expect(a.valueHash).toBe(b.valueHash);
  });

  it('gives distinct ids and equal hashes to two writes of the same value', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 's', key: 'k', value: { v: 1 } });
    const f2 = store.write({ store: 's', key: 'k', value: { v: 1 } });
    expect(f1.id).not.toBe(f2.id);
    expect(f1.valueHash).toBe(f2.valueHash);
  });

  it('links each write of a key to the previous fact of that key by causation', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 'items', key: 'x', value: { v: 1 } });
    const f2 = store.write({ store: 'items', key: 'x', value: { v: 1 } });
    const f3 = store.write({ store: 'items', key: 'x', value: { v: 1 } });
    expect([f1.causation, f2.causation, f3.causation]).toEqual([null, f1.id, f2.id]);
  });

  it('starts the causation of a key at null even when other keys have facts', () => {
    const { store } = newStore();
    store.write({ store: 'items', key: 'x', value: 1 });
    store.write({ store: 'other', key: 'y', value: 1 });
    expect(store.write({ store: 'items', key: 'y', value: 1 }).causation).toBeNull();
  });

  it('stores an explicit causation as given, unchecked', () => {
    const { store } = newStore();
    store.write({ store: 'items', key: 'x', value: 1 });
    expect(store.write({ store: 'items', key: 'x', value: 2, causation: 'external' }).causation).toBe(
      'external',
    );
  });

  it('stores an explicit null causation as null even when the key has a fact', () => {
    const { store } = newStore();
    store.write({ store: 'items', key: 'x', value: 1 });
    expect(store.write({ store: 'items', key: 'x', value: 2, causation: null }).causation).toBeNull();
  });

  it('records schemaVersion, validTime, producer and derivation as given', () => {
    const { store } = newStore();
    const fact = store.write({
      store: 's',
      key: 'k',
      value: 1,
      schemaVersion: 3,
      validTime: 1_714_200_123_500,
      producer: { system: 'spec' },
      derivation: { name: 'demo_derivation' },
    });
    expect(fact).toMatchObject({
      schemaVersion: 3,
      validTime: 1_714_200_123_500,
      producer: { system: 'spec' },
      derivation: { name: 'demo_derivation' },
    });
  });

  it('stores a validTime of 0 as 0, not as null', () => {
    const { store } = newStore();
    expect(store.write({ store: 's', key: 'k', value: 1, validTime: 0 }).validTime).toBe(0);
  });

  it('converts a Date validTime to ms since the epoch', () => {
    const { store } = newStore();
    const fact = store.write({ store: 's', key: 'k', value: 1, validTime: new Date('2024-05-01T00:00:00Z') });
    expect(fact.validTime).toBe(Date.UTC(2024, 4, 1));
  });

  it('accepts values that are not objects', () => {
    const { store } = newStore();
    const values: Array<[string, Json]> = [
      ['string', 'plain'],
      ['number', 42.5],
      ['boolean', false],
      ['null', null],
      ['array', [1, [2], { a: 3 }]],
    ];
    for (const [key, value] of values) {
      store.write({ store: 's', key, value });
      expect(store.read({ store: 's', key })).toEqual(value);
    }
  });
});

describe(`stored values are deep-frozen copies (${ENGINE_KIND} engine)`, () => {
  it('freezes the fact, its value and everything nested inside it', () => {
    const { store } = newStore();
    const fact = store.write({ store: 's', key: 'k', value: { a: { b: [1, { c: 'x' }] } } });
    const value = fact.value as { a: { b: [number, { c: string }] } };
    expect(Object.isFrozen(fact)).toBe(true);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
  });

  it('never freezes the caller object', () => {
    const { store } = newStore();
    const input = { a: { b: [1] } };
    store.write({ store: 's', key: 'k', value: input });
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(input.a)).toBe(false);
    expect(Object.isFrozen(input.a.b)).toBe(false);
  });

  it('is unaffected when the caller mutates the object it wrote', () => {
    const { store } = newStore();
    const input = { a: { b: [1] } };
    const fact = store.write({ store: 's', key: 'k', value: input });
    input.a.b.push(2);
    input.a = { b: [9] };
    expect(fact.value).toEqual({ a: { b: [1] } });
    expect(store.read({ store: 's', key: 'k' })).toEqual({ a: { b: [1] } });
  });

  it('keeps producer and derivation as frozen copies of what the caller passed', () => {
    const { store } = newStore();
    const producer = { system: 'spec', tags: ['a'] };
    const derivation = { rule: 'r1' };
    const fact = store.write({ store: 's', key: 'k', value: 1, producer, derivation });
    producer.tags.push('b');
    derivation.rule = 'changed';
    expect(fact.producer).toEqual({ system: 'spec', tags: ['a'] });
    expect(fact.derivation).toEqual({ rule: 'r1' });
    expect(Object.isFrozen(fact.producer)).toBe(true);
    expect(Object.isFrozen(fact.derivation)).toBe(true);
    expect(Object.isFrozen(producer)).toBe(false);
  });

  it('stores -0 as 0', () => {
    const { store } = newStore();
    const fact = store.write({ store: 's', key: 'k', value: { n: -0 } });
    expect(Object.is((fact.value as { n: number }).n, 0)).toBe(true);
  });
});

describe(`seq and transaction time (${ENGINE_KIND} engine)`, () => {
  it('numbers facts 1, 2, 3... across writes, appends and batches', () => {
    const { store } = newStore();
    const seqs = [
      store.write({ store: 'a', key: 'k', value: 1 }).seq,
      store.append({ history: 'h', event: { n: 1 } }).seq,
      ...store
        .writeMany([
          { store: 'a', key: 'x', value: 1 },
          { store: 'b', key: 'y', value: 2 },
        ])
        .map((f) => f.seq),
      store.write({ store: 'a', key: 'k', value: 2 }).seq,
    ];
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('uses the clock reading of the call as the transaction time, in integer ms', () => {
    const { store, time } = newStore();
    time.set(5_000.9);
    expect(store.write({ store: 's', key: 'k', value: 1 }).transactionTime).toBe(5_000);
  });

  it('reads the clock once per fact, for writes and appends alike', () => {
    let now = 0;
    const store = new IgniterStore({ clock: () => (now += 1_000) });
    const times = [
      store.write({ store: 's', key: 'k', value: 1 }).transactionTime,
      store.append({ history: 'h', event: { n: 1 } }).transactionTime,
      store.write({ store: 's', key: 'k', value: 2 }).transactionTime,
    ];
    expect(times).toEqual([1_000, 2_000, 3_000]);
  });

  it('clamps the transaction time so it never decreases when the clock steps back', () => {
    const { store, time } = newStore();
    time.set(10_000);
    const f1 = store.write({ store: 's', key: 'k', value: 1 });
    time.set(4_000);
    const f2 = store.write({ store: 's', key: 'other', value: 2 });
    time.set(12_000);
    const f3 = store.write({ store: 's', key: 'k', value: 3 });
    expect([f1.transactionTime, f2.transactionTime, f3.transactionTime]).toEqual([10_000, 10_000, 12_000]);
  });

  it('keeps "latest" as the highest seq when the clock steps back', () => {
    const { store, time } = newStore();
    time.set(10_000);
    store.write({ store: 's', key: 'k', value: 'first' });
    time.set(4_000);
    store.write({ store: 's', key: 'k', value: 'second' });
    expect(store.read({ store: 's', key: 'k' })).toBe('second');
    expect(store.read({ store: 's', key: 'k', asOf: 10_000 })).toBe('second');
  });

  it('keeps "latest" as the highest seq when several facts share one transaction time', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    store.write({ store: 's', key: 'k', value: 2 });
    const third = store.write({ store: 's', key: 'k', value: 3 });
    expect(store.read({ store: 's', key: 'k' })).toBe(3);
    expect(store.read({ store: 's', key: 'k', asOf: third.transactionTime })).toBe(3);
    expect(store.history({ store: 's', key: 'k' }).map((f) => f.value)).toEqual([1, 2, 3]);
  });
});

describe(`append (${ENGINE_KIND} engine)`, () => {
  it('stores the event under a fresh UUIDv7 key with null causation', () => {
    const { store } = newStore();
    const f1 = store.append({ history: 'logs', event: { status: 'created' } });
    const f2 = store.append({ history: 'logs', event: { status: 'created' } });
    expect(f1.key).toMatch(UUID_V7);
    expect(f2.key).toMatch(UUID_V7);
    expect(f1.key).not.toBe(f2.key);
    expect(f1.causation).toBeNull();
    expect(f2.causation).toBeNull();
    expect(f1.store).toBe('logs');
  });

  it('keeps appended events in append order in history', () => {
    const { store } = newStore();
    store.append({ history: 'logs', event: { status: 'created' } });
    store.append({ history: 'logs', event: { status: 'closed' } });
    expect(store.history({ store: 'logs' }).map((f) => f.value)).toEqual([
      { status: 'created' },
      { status: 'closed' },
    ]);
  });

  it('records schemaVersion, validTime, producer and derivation of an event', () => {
    const { store } = newStore();
    const fact = store.append({
      history: 'logs',
      event: { n: 1 },
      schemaVersion: 2,
      validTime: 500,
      producer: { by: 'test' },
      derivation: { from: 'x' },
    });
    expect(fact).toMatchObject({
      schemaVersion: 2,
      validTime: 500,
      producer: { by: 'test' },
      derivation: { from: 'x' },
      idempotencyKey: null,
    });
  });

  it('makes the appended event readable by its key', () => {
    const { store } = newStore();
    const fact = store.append({ history: 'logs', event: { n: 1 } });
    expect(store.read({ store: 'logs', key: fact.key })).toEqual({ n: 1 });
  });
});

describe('own "__proto__" keys', () => {
  it('stores an own __proto__ key as data, with the hash of what was written', () => {
    const store = new IgniterStore();
    const value = JSON.parse('{"__proto__":{"x":1},"a":2}') as Json;
    const fact = store.write({ store: 's', key: 'k', value });
    expect(Object.keys(fact.value as object)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(fact.value)).toBe(Object.prototype);
    expect(fact.valueHash).toBe(valueHash(value));
    expect(canonicalJson(fact.value)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe(`facts as values (${ENGINE_KIND} engine)`, () => {
  it('accepts a fact read from the store as a producer and as a coercion result', () => {
    const store = new IgniterStore();
    const source = store.write({ store: 's', key: 'k', value: { n: 1 } });
    const read = store.factById(source.id) as Fact;
    const derived = store.write({ store: 't', key: 'k', value: 1, producer: read as unknown as JsonObject });
    expect(derived.producer).toMatchObject({ id: source.id, store: 's', key: 'k', value: { n: 1 } });
    store.registerCoercion('s', () => store.factById(source.id) as unknown as Json);
    expect(store.read({ store: 's', key: 'k' })).toMatchObject({ id: source.id, seq: 1 });
  });
});
