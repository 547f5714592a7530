import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

/** A salary history: recorded on day 10 as valid from day 1, corrected on day 20 as valid from day 5. */
function salaries() {
  const { store, time } = newStore();
  time.set(10_000);
  const base = store.write({ store: 'pay', key: 'ann', value: 100, validTime: 1_000 });
  time.set(20_000);
  const raise = store.write({ store: 'pay', key: 'ann', value: 120, validTime: 5_000 });
  time.set(30_000);
  const backdated = store.write({ store: 'pay', key: 'ann', value: 90, validTime: 3_000 });
  return { store, time, base, raise, backdated };
}

describe(`bitemporal reads (${ENGINE_KIND} engine)`, () => {
  it('picks the fact with the greatest valid time not after validAt, whatever its seq', () => {
    const { store } = salaries();
    expect(store.read({ store: 'pay', key: 'ann', validAt: 4_000 })).toBe(90);
    expect(store.read({ store: 'pay', key: 'ann', validAt: 6_000 })).toBe(120);
    expect(store.read({ store: 'pay', key: 'ann', validAt: 2_000 })).toBe(100);
  });

  it('treats validAt as inclusive', () => {
    const { store } = salaries();
    expect(store.read({ store: 'pay', key: 'ann', validAt: 5_000 })).toBe(120);
    expect(store.read({ store: 'pay', key: 'ann', validAt: 4_999 })).toBe(90);
  });

  it('returns undefined when nothing was valid yet at validAt', () => {
    const { store } = salaries();
    expect(store.read({ store: 'pay', key: 'ann', validAt: 999 })).toBeUndefined();
  });

  it('answers what was known at asOf about how things stood at validAt', () => {
    const { store } = salaries();
    // On day 25 the day-3 correction was not known yet: day 4 still showed the base salary.
    expect(store.read({ store: 'pay', key: 'ann', asOf: 25_000, validAt: 4_000 })).toBe(100);
    expect(store.read({ store: 'pay', key: 'ann', asOf: 30_000, validAt: 4_000 })).toBe(90);
    expect(store.read({ store: 'pay', key: 'ann', asOf: 15_000, validAt: 6_000 })).toBe(100);
  });

  it('uses the transaction time as the valid time of a fact without one', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'recorded at 1000' });
    time.set(2_000);
    store.write({ store: 's', key: 'k', value: 'valid from 500', validTime: 500 });
    expect(store.read({ store: 's', key: 'k', validAt: 800 })).toBe('valid from 500');
    expect(store.read({ store: 's', key: 'k', validAt: 1_500 })).toBe('recorded at 1000');
  });

  it('breaks a tie of valid times by the highest seq', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 'first', validTime: 100 });
    store.write({ store: 's', key: 'k', value: 'second', validTime: 100 });
    store.write({ store: 's', key: 'k', value: 'earlier', validTime: 50 });
    expect(store.read({ store: 's', key: 'k', validAt: 100 })).toBe('second');
  });

  it('accepts a Date as validAt', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 'jan', validTime: new Date('2024-01-01T00:00:00Z') });
    store.write({ store: 's', key: 'k', value: 'mar', validTime: new Date('2024-03-01T00:00:00Z') });
    expect(store.read({ store: 's', key: 'k', validAt: new Date('2024-02-01T00:00:00Z') })).toBe('jan');
  });

  it('sees a correction written after a validAt read of the same key', () => {
    const { store } = salaries();
    expect(store.read({ store: 'pay', key: 'ann', validAt: 4_500 })).toBe(90);
    store.write({ store: 'pay', key: 'ann', value: 95, validTime: 4_000 });
    expect(store.read({ store: 'pay', key: 'ann', validAt: 4_500 })).toBe(95);
  });

  it('orders history with validAt by effective valid time, then seq, dropping facts valid later', () => {
    const { store, base, raise, backdated } = salaries();
    expect(store.history({ store: 'pay', key: 'ann', validAt: 10_000 })).toEqual([base, backdated, raise]);
    expect(store.history({ store: 'pay', key: 'ann', validAt: 4_000 })).toEqual([base, backdated]);
  });

  it('combines asOf and validAt in history', () => {
    const { store, base, raise } = salaries();
    expect(store.history({ store: 'pay', key: 'ann', asOf: 20_000, validAt: 10_000 })).toEqual([base, raise]);
  });

  it('orders equal effective valid times in history by seq', () => {
    const { store } = newStore();
    const a = store.write({ store: 's', key: 'k', value: 'a', validTime: 100 });
    const b = store.write({ store: 's', key: 'k', value: 'b', validTime: 100 });
    const c = store.write({ store: 's', key: 'k', value: 'c', validTime: 50 });
    expect(store.history({ store: 's', key: 'k', validAt: 100 })).toEqual([c, a, b]);
  });

  it('selects scope members by the fact that stood at validAt', () => {
    const { store } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { status: 'open' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' }, validTime: 100 });
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' }, validTime: 200 });
    store.write({ store: 'tasks', key: 't2', value: { status: 'open' }, validTime: 300 });
    const keys = (validAt: number): string[] =>
      store.query({ store: 'tasks', scope: 'open', validAt }).map((f) => f.key);
    expect(keys(150)).toEqual(['t1']);
    expect(keys(250)).toEqual([]);
    expect(keys(300)).toEqual(['t2']);
    expect(store.query({ store: 'tasks', scope: 'open' }).map((f) => f.key)).toEqual(['t2']);
  });
});
