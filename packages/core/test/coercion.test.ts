import { describe, expect, it } from 'vitest';
import type { IgniterError } from '../src/errors.js';
import type { Json, JsonObject } from '../src/json.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

const flag = (value: Json): Json => ({ ...(value as JsonObject), coerced: true });

describe(`coercions (${ENGINE_KIND} engine)`, () => {
  it('apply to read', () => {
    const { store } = newStore();
    store.registerCoercion('items', flag);
    store.write({ store: 'items', key: 'i1', value: { name: 'Widget' } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ name: 'Widget', coerced: true });
  });

  it('receive the schema version of the fact', () => {
    const { store } = newStore();
    const versions: number[] = [];
    store.registerCoercion('items', (value, schemaVersion) => {
      versions.push(schemaVersion);
      return value;
    });
    store.write({ store: 'items', key: 'i1', value: { v: 1 }, schemaVersion: 3 });
    store.read({ store: 'items', key: 'i1' });
    expect(versions).toEqual([3]);
  });

  it('upgrade old schema versions on the read path while the facts stay as written', () => {
    const { store } = newStore();
    store.registerCoercion('people', (value, schemaVersion) => {
      const record = value as JsonObject;
      return schemaVersion === 1 ? { fullName: record.name ?? null } : value;
    });
    const old = store.write({ store: 'people', key: 'p1', value: { name: 'Ann' } });
    store.write({ store: 'people', key: 'p2', value: { fullName: 'Bob' }, schemaVersion: 2 });
    expect(store.read({ store: 'people', key: 'p1' })).toEqual({ fullName: 'Ann' });
    expect(store.read({ store: 'people', key: 'p2' })).toEqual({ fullName: 'Bob' });
    expect(store.factById(old.id)?.value).toEqual({ name: 'Ann' });
  });

  it('apply to time travel', () => {
    const { store, time } = newStore();
    store.registerCoercion('items', flag);
    store.write({ store: 'items', key: 'i1', value: { name: 'Widget' } });
    time.advance(1_000);
    expect(store.timeTravel({ store: 'items', key: 'i1', at: time.clock() + 60_000 })).toEqual({
      name: 'Widget',
      coerced: true,
    });
    expect(store.read({ store: 'items', key: 'i1', asOf: 1_000 })).toEqual({ name: 'Widget', coerced: true });
  });

  it('apply to every fact a query returns, keeping the raw value hash', () => {
    const { store } = newStore();
    store.registerPath({ store: 'items', scope: 'all' });
    store.registerCoercion('items', flag);
    const raw = store.write({ store: 'items', key: 'i1', value: { name: 'Widget' } });
    store.write({ store: 'items', key: 'i2', value: { name: 'Gadget' } });
    const result = store.query({ store: 'items', scope: 'all' });
    expect(result.map((f) => f.value)).toEqual([
      { name: 'Widget', coerced: true },
      { name: 'Gadget', coerced: true },
    ]);
    expect(result[0]).toMatchObject({ id: raw.id, key: 'i1', seq: raw.seq, valueHash: raw.valueHash });
    expect(Object.isFrozen(result[0])).toBe(true);
    expect(Object.isFrozen(result[0]?.value)).toBe(true);
  });

  it('apply to asOf and validAt queries', () => {
    const { store } = newStore();
    store.registerPath({ store: 'items', scope: 'all' });
    store.registerCoercion('items', flag);
    store.write({ store: 'items', key: 'i1', value: { name: 'Widget' }, validTime: 10 });
    expect(store.query({ store: 'items', scope: 'all', asOf: 50_000 })[0]?.value).toEqual({
      name: 'Widget',
      coerced: true,
    });
    expect(store.query({ store: 'items', scope: 'all', validAt: 10 })[0]?.value).toEqual({
      name: 'Widget',
      coerced: true,
    });
  });

  it('apply to history and historyPartition', () => {
    const { store } = newStore();
    store.registerCoercion('logs', flag);
    store.append({ history: 'logs', event: { tid: 'a', n: 1 } });
    store.append({ history: 'logs', event: { tid: 'a', n: 2 } });
    expect(store.history({ store: 'logs' }).map((f) => f.value)).toEqual([
      { tid: 'a', n: 1, coerced: true },
      { tid: 'a', n: 2, coerced: true },
    ]);
    expect(
      store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' }).map((f) => f.value),
    ).toEqual([
      { tid: 'a', n: 1, coerced: true },
      { tid: 'a', n: 2, coerced: true },
    ]);
  });

  it('apply only to their own store', () => {
    const { store } = newStore();
    store.registerCoercion('other', flag);
    store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1 });
  });

  it('return the raw fact itself when the coercion returns the same value', () => {
    const { store } = newStore();
    store.registerPath({ store: 'items', scope: 'all' });
    store.registerCoercion('items', (value) => value);
    const fact = store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.query({ store: 'items', scope: 'all' })[0]).toEqual(fact);
    expect(store.history({ store: 'items' })[0]).toEqual(fact);
  });

  it('return a coerced copy of the fact when the coercion returns a new but equal value', () => {
    const { store } = newStore();
    store.registerCoercion('items', (value) => ({ ...(value as JsonObject) }));
    const fact = store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    const [coerced] = store.history({ store: 'items' });
    expect(coerced).not.toBe(fact);
    expect(coerced).toEqual(fact);
  });

  it('never change what factById and factLogAll return', () => {
    const { store } = newStore();
    store.registerCoercion('items', flag);
    const fact = store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.factById(fact.id)).toEqual(fact);
    expect(store.factById(fact.id)?.value).toEqual({ x: 1 });
    expect(store.factLogAll()).toEqual([fact]);
  });

  it('take effect for values already cached when registered', () => {
    const { store } = newStore();
    store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1 });
    store.registerCoercion('items', flag);
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1, coerced: true });
  });

  it('replace an earlier coercion of the same store', () => {
    const { store } = newStore();
    store.registerCoercion('items', flag);
    store.registerCoercion('items', () => 'second');
    store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toBe('second');
  });

  it('must be functions', () => {
    const { store } = newStore();
    const error = thrown(() => store.registerCoercion('items', 'nope' as unknown as () => Json));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe(`failing coercions (${ENGINE_KIND} engine)`, () => {
  it('yield the raw value and report ERR_RULE_FAILED with kind coercion and the fact read', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    const boom = new Error('cannot coerce');
    store.registerCoercion('items', () => {
      throw boom;
    });
    const fact = store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'ERR_RULE_FAILED',
      details: { kind: 'coercion', store: 'items', key: 'i1', sourceFactId: fact.id },
    });
    expect(errors[0]?.cause).toBe(boom);
  });

  it('treat a non-JSON result as a failure and yield the raw value', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    store.registerCoercion('items', () => ({ when: new Date(0) }) as unknown as Json);
    store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1 });
    expect(errors.map((e) => e.details?.kind)).toEqual(['coercion']);
    expect(errors[0]?.cause).toMatchObject({ code: 'ERR_INVALID_VALUE' });
  });

  it('cannot change the stored value by mutating it', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    store.registerCoercion('items', (value) => {
      (value as JsonObject).x = 2;
      return value;
    });
    const fact = store.write({ store: 'items', key: 'i1', value: { x: 1 } });
    expect(store.read({ store: 'items', key: 'i1' })).toEqual({ x: 1 });
    expect(fact.value).toEqual({ x: 1 });
    expect(errors).toHaveLength(1);
  });

  it('affect only the facts they fail on in a query', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    store.registerPath({ store: 'items', scope: 'all' });
    store.registerCoercion('items', (value) => {
      if ((value as JsonObject).bad === true) throw new Error('bad');
      return flag(value);
    });
    store.write({ store: 'items', key: 'a', value: { bad: true } });
    store.write({ store: 'items', key: 'b', value: { bad: false } });
    expect(store.query({ store: 'items', scope: 'all' }).map((f) => f.value)).toEqual([
      { bad: true },
      { bad: false, coerced: true },
    ]);
    expect(errors.map((e) => e.details?.key)).toEqual(['a']);
  });

  it('may read the store while coercing', () => {
    const { store } = newStore();
    store.write({ store: 'units', key: 'factor', value: 10 });
    store.registerCoercion(
      'items',
      (value) => (value as number) * (store.read({ store: 'units', key: 'factor' }) as number),
    );
    store.write({ store: 'items', key: 'i1', value: 4 });
    expect(store.read({ store: 'items', key: 'i1' })).toBe(40);
  });
});
