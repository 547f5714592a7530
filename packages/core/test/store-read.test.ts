import { describe, expect, it } from 'vitest';
import type { Json } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

describe(`read (${ENGINE_KIND} engine)`, () => {
  it('returns the latest value of a key', () => {
    const { store } = newStore();
    store.write({ store: 'reminders', key: 'r1', value: { status: 'open' } });
    store.write({ store: 'reminders', key: 'r1', value: { status: 'closed' } });
    expect(store.read({ store: 'reminders', key: 'r1' })).toEqual({ status: 'closed' });
  });

  it('returns undefined for an unknown key and an unknown store', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    expect(store.read({ store: 's', key: 'missing' })).toBeUndefined();
    expect(store.read({ store: 'nowhere', key: 'k' })).toBeUndefined();
  });

  it('sees a key written after a read that missed it', () => {
    const { store } = newStore();
    expect(store.read({ store: 's', key: 'k' })).toBeUndefined();
    store.write({ store: 's', key: 'k', value: 'now' });
    expect(store.read({ store: 's', key: 'k' })).toBe('now');
  });

  it('returns a deep-frozen value', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: { a: [1] } });
    const value = store.read({ store: 's', key: 'k' }) as { a: number[] };
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
  });

  it('returns every object and array inside a value frozen, latest and as of a time, flat or nested', () => {
    const { store, time } = newStore();
    /** Every object and array reachable from `value`, itself included. */
    const containers = (value: unknown): object[] =>
      typeof value === 'object' && value !== null ? [value, ...Object.values(value).flatMap(containers)] : [];
    const values: Json[] = [
      { a: 1, b: 'x', c: null, d: true },
      [1, 'two', null],
      { a: '{ not [ nested', b: 2 },
      { a: 'x', b: { c: { d: [1, { e: [] }] } } },
      [{ a: 1 }, [2, [3]]],
      { '[': { '{': 1 } },
      {},
      [],
    ];
    values.forEach((value, i) => {
      time.set(1_000 + i);
      store.write({ store: 's', key: `k${i}`, value });
    });
    time.set(2_000);
    values.forEach((_, i) => {
      store.write({ store: 's', key: `k${i}`, value: 'later' });
    });
    time.set(10_000);
    values.forEach((value, i) => {
      const read = store.read({ store: 's', key: `k${i}`, asOf: 1_000 + i });
      expect(read).toEqual(value);
      const all = containers(read);
      expect(all.length).toBe(containers(value).length);
      for (const container of all) expect(Object.isFrozen(container)).toBe(true);
    });
    store.write({ store: 's', key: 'flat', value: { a: 1, b: 'x' } });
    const latest = store.read({ store: 's', key: 'flat' });
    expect(latest).toEqual({ a: 1, b: 'x' });
    expect(Object.isFrozen(latest)).toBe(true);
  });

  it('keeps keys of different stores apart', () => {
    const { store } = newStore();
    store.write({ store: 'a', key: 'k', value: 'in a' });
    store.write({ store: 'b', key: 'k', value: 'in b' });
    expect(store.read({ store: 'a', key: 'k' })).toBe('in a');
    expect(store.read({ store: 'b', key: 'k' })).toBe('in b');
  });

  it('reads internal stores although users cannot write them', () => {
    const { store } = newStore();
    store.commitInternal({ store: '__receipts', key: 'r', value: { ok: true } }, 'write');
    expect(store.read({ store: '__receipts', key: 'r' })).toEqual({ ok: true });
  });
});

describe(`history (${ENGINE_KIND} engine)`, () => {
  it('returns every fact of a key in seq order', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 's', key: 'k', value: 1 });
    store.write({ store: 's', key: 'other', value: 9 });
    const f2 = store.write({ store: 's', key: 'k', value: 2 });
    expect(store.history({ store: 's', key: 'k' })).toEqual([f1, f2]);
  });

  it('returns every fact of a store in seq order when no key is given', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 's', key: 'b', value: 1 });
    const f2 = store.write({ store: 's', key: 'a', value: 2 });
    store.write({ store: 'other', key: 'a', value: 3 });
    const f3 = store.write({ store: 's', key: 'b', value: 4 });
    expect(store.history({ store: 's' }).map((f) => f.seq)).toEqual([f1.seq, f2.seq, f3.seq]);
  });

  it('returns an empty list for an unknown store or key', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    expect(store.history({ store: 'nowhere' })).toEqual([]);
    expect(store.history({ store: 's', key: 'nothing' })).toEqual([]);
  });

  it('treats since and asOf as inclusive bounds on the transaction time', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'a' });
    time.set(2_000);
    store.write({ store: 's', key: 'k', value: 'b' });
    time.set(3_000);
    store.write({ store: 's', key: 'k', value: 'c' });
    const values = (bounds: { since?: number; asOf?: number }): unknown[] =>
      store.history({ store: 's', key: 'k', ...bounds }).map((f) => f.value);
    expect(values({ since: 2_000, asOf: 2_000 })).toEqual(['b']);
    expect(values({ since: 2_000 })).toEqual(['b', 'c']);
    expect(values({ asOf: 2_000 })).toEqual(['a', 'b']);
    expect(values({ since: 1_001, asOf: 2_999 })).toEqual(['b']);
    expect(values({ since: 3_001 })).toEqual([]);
    expect(values({ asOf: 999 })).toEqual([]);
  });

  it('accepts Dates as time bounds', () => {
    const { store, time } = newStore();
    time.set(Date.UTC(2024, 0, 1));
    store.write({ store: 's', key: 'k', value: 'jan' });
    time.set(Date.UTC(2024, 1, 1));
    store.write({ store: 's', key: 'k', value: 'feb' });
    expect(
      store.history({ store: 's', key: 'k', since: new Date('2024-01-15T00:00:00Z') }).map((f) => f.value),
    ).toEqual(['feb']);
  });
});

describe(`time travel (${ENGINE_KIND} engine)`, () => {
  it('returns the value that was current at the given time', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'early' });
    time.set(3_000);
    store.write({ store: 's', key: 'k', value: 'late' });
    expect(store.timeTravel({ store: 's', key: 'k', at: 2_000 })).toBe('early');
    expect(store.read({ store: 's', key: 'k' })).toBe('late');
  });

  it('includes a fact whose transaction time equals asOf', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'a' });
    time.set(2_000);
    store.write({ store: 's', key: 'k', value: 'b' });
    expect(store.read({ store: 's', key: 'k', asOf: 2_000 })).toBe('b');
    expect(store.read({ store: 's', key: 'k', asOf: 1_999 })).toBe('a');
  });

  it('returns undefined before the first fact of a key', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'a' });
    expect(store.timeTravel({ store: 's', key: 'k', at: 999 })).toBeUndefined();
  });

  it('accepts a Date as the time', () => {
    const { store, time } = newStore();
    time.set(Date.UTC(2024, 0, 1));
    store.write({ store: 's', key: 'k', value: 'jan' });
    time.set(Date.UTC(2024, 1, 1));
    store.write({ store: 's', key: 'k', value: 'feb' });
    expect(store.timeTravel({ store: 's', key: 'k', at: new Date('2024-01-20T00:00:00Z') })).toBe('jan');
  });

  it('answers a time in the future with the latest value, and later writes are seen', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'k', value: 'a' });
    expect(store.read({ store: 's', key: 'k', asOf: 10_000 })).toBe('a');
    time.set(2_000);
    store.write({ store: 's', key: 'k', value: 'b' });
    expect(store.read({ store: 's', key: 'k', asOf: 10_000 })).toBe('b');
  });
});

describe(`factLogAll and factCount (${ENGINE_KIND} engine)`, () => {
  it('lists every live fact of every store in seq order', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 'b', key: 'k', value: 1 });
    const f2 = store.append({ history: 'a', event: { n: 1 } });
    const f3 = store.write({ store: 'b', key: 'k', value: 2 });
    expect(store.factLogAll()).toEqual([f1, f2, f3]);
    expect(store.factCount()).toBe(3);
  });

  it('counts internal stores too', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    store.commitInternal({ store: '__internal', key: 'k', value: 1 }, 'write');
    expect(store.factCount()).toBe(2);
  });

  it('filters factLogAll by inclusive since and asOf', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.write({ store: 's', key: 'a', value: 1 });
    time.set(2_000);
    store.write({ store: 's', key: 'b', value: 2 });
    time.set(3_000);
    store.write({ store: 's', key: 'c', value: 3 });
    expect(store.factLogAll({ since: 2_000, asOf: 3_000 }).map((f) => f.key)).toEqual(['b', 'c']);
    expect(store.factLogAll({ asOf: 1_000 }).map((f) => f.key)).toEqual(['a']);
  });

  it('returns a copy that the caller can change without changing the log', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'k', value: 1 });
    const all = store.factLogAll();
    all.pop();
    expect(store.factLogAll()).toHaveLength(1);
    const history = store.history({ store: 's' });
    history.pop();
    expect(store.history({ store: 's' })).toHaveLength(1);
  });
});
