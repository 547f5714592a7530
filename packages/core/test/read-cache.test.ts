import { describe, expect, it } from 'vitest';
import type { Json } from '../src/json.js';
import { ReadCache } from '../src/read-cache.js';
import type { StoreOptions } from '../src/store-types.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

/** A store whose 'items' coercion counts its calls: each call is a cache miss of a read. */
function countingStore(options: StoreOptions = {}) {
  const made = newStore(options);
  const counter = { misses: 0 };
  made.store.registerCoercion('items', (value: Json) => {
    counter.misses += 1;
    return { wrapped: value };
  });
  return { ...made, counter };
}

/** Writes 'items'/'k' at 1000, 2000 and 3000 and moves the clock to 10_000 (all three are settled). */
function settledHistory(options: StoreOptions = {}) {
  const made = countingStore(options);
  made.store.registerPath({ store: 'items', scope: 'all' });
  for (const at of [1_000, 2_000, 3_000]) {
    made.time.set(at);
    made.store.write({ store: 'items', key: 'k', value: at });
  }
  made.time.set(10_000);
  return made;
}

describe(`read cache: current state (${ENGINE_KIND} engine)`, () => {
  it('answers a repeated read from the cache with the same frozen object', () => {
    const { store, counter } = countingStore();
    store.write({ store: 'items', key: 'a', value: 1 });
    const first = store.read({ store: 'items', key: 'a' });
    const second = store.read({ store: 'items', key: 'a' });
    expect(second).toBe(first);
    expect(counter.misses).toBe(1);
  });

  it('drops the cached read of the key a write touches and only that one', () => {
    const { store, counter } = countingStore();
    store.write({ store: 'items', key: 'a', value: 1 });
    store.write({ store: 'items', key: 'b', value: 1 });
    store.read({ store: 'items', key: 'a' });
    store.read({ store: 'items', key: 'b' });
    store.write({ store: 'items', key: 'a', value: 2 });
    expect(store.read({ store: 'items', key: 'a' })).toEqual({ wrapped: 2 });
    expect(store.read({ store: 'items', key: 'b' })).toEqual({ wrapped: 1 });
    expect(counter.misses).toBe(3);
  });

  it('keeps cached reads when another store is written', () => {
    const { store, counter } = countingStore();
    store.write({ store: 'items', key: 'a', value: 1 });
    store.read({ store: 'items', key: 'a' });
    store.write({ store: 'other', key: 'a', value: 2 });
    store.read({ store: 'items', key: 'a' });
    expect(counter.misses).toBe(1);
  });

  it('drops a cached read when an append lands on the same key space', () => {
    const { store } = countingStore();
    const event = store.append({ history: 'items', event: { n: 1 } });
    expect(store.read({ store: 'items', key: event.key })).toEqual({ wrapped: { n: 1 } });
  });

  it('reuses a cached scope answer while no member changes', () => {
    const { store } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true } });
    store.write({ store: 'tasks', key: 't1', value: { open: true } });
    const first = store.query({ store: 'tasks', scope: 'open' });
    store.write({ store: 'tasks', key: 'closed', value: { open: false } });
    store.write({ store: 'other', key: 't2', value: { open: true } });
    expect(store.query({ store: 'tasks', scope: 'open' })).toBe(first);
  });

  it('recomputes a scope answer when a key enters, changes inside or leaves the scope', () => {
    const { store } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true } });
    const empty = store.query({ store: 'tasks', scope: 'open' });
    store.write({ store: 'tasks', key: 't1', value: { open: true, n: 1 } });
    const entered = store.query({ store: 'tasks', scope: 'open' });
    expect(entered).not.toBe(empty);
    store.write({ store: 'tasks', key: 't1', value: { open: true, n: 2 } });
    const changed = store.query({ store: 'tasks', scope: 'open' });
    expect(changed).not.toBe(entered);
    expect(changed[0]?.value).toEqual({ open: true, n: 2 });
    store.write({ store: 'tasks', key: 't1', value: { open: false } });
    expect(store.query({ store: 'tasks', scope: 'open' })).toEqual([]);
  });

  it('keeps the cached answer of one scope when only another scope of the store changes', () => {
    const { store } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true } });
    store.registerPath({ store: 'tasks', scope: 'closed', filters: { open: false } });
    store.write({ store: 'tasks', key: 't1', value: { open: true } });
    const open = store.query({ store: 'tasks', scope: 'open' });
    store.write({ store: 'tasks', key: 't2', value: { open: false } });
    expect(store.query({ store: 'tasks', scope: 'open' })).toBe(open);
  });

  it('does not bound current-state reads by lruCap', () => {
    const { store, counter } = countingStore({ lruCap: 1 });
    for (const key of ['a', 'b', 'c']) store.write({ store: 'items', key, value: key });
    for (const key of ['a', 'b', 'c']) store.read({ store: 'items', key });
    for (const key of ['a', 'b', 'c']) store.read({ store: 'items', key });
    expect(counter.misses).toBe(3);
  });
});

describe(`read cache: time travel LRU (${ENGINE_KIND} engine)`, () => {
  it('answers a repeated settled asOf query from the cache', () => {
    const { store } = settledHistory();
    const first = store.query({ store: 'items', scope: 'all', asOf: 1_500 });
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500 })).toBe(first);
    expect(first.map((f) => f.value)).toEqual([{ wrapped: 1_000 }]);
  });

  it('keeps settled answers when later facts are written', () => {
    const { store } = settledHistory();
    const first = store.query({ store: 'items', scope: 'all', asOf: 1_500 });
    store.write({ store: 'items', key: 'k', value: 'later' });
    store.write({ store: 'items', key: 'new', value: 'later' });
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500 })).toBe(first);
  });

  it('does not cache an asOf at or after the latest transaction time, so later facts are seen', () => {
    const { store, time } = settledHistory();
    expect(store.read({ store: 'items', key: 'k', asOf: 20_000 })).toEqual({ wrapped: 3_000 });
    time.set(15_000);
    store.write({ store: 'items', key: 'k', value: 15_000 });
    expect(store.read({ store: 'items', key: 'k', asOf: 20_000 })).toEqual({ wrapped: 15_000 });
    expect(store.query({ store: 'items', scope: 'all', asOf: 20_000 })[0]?.value).toEqual({
      wrapped: 15_000,
    });
  });

  it('evicts the least recently used time-travel answer beyond lruCap', () => {
    const { store } = settledHistory({ lruCap: 2 });
    const q = (asOf: number) => store.query({ store: 'items', scope: 'all', asOf });
    const a = q(1_000);
    const b = q(2_000);
    expect(q(1_000)).toBe(a); // a is now the most recently used
    const c = q(2_500); // evicts b
    expect(q(1_000)).toBe(a);
    expect(q(2_500)).toBe(c);
    const b2 = q(2_000); // a miss: recomputed, evicts a
    expect(b2).not.toBe(b);
    expect(b2).toEqual(b);
    expect(q(2_500)).toBe(c);
    expect(q(1_000)).not.toBe(a);
  });

  it('keeps time-travel reads in the same LRU', () => {
    const { store, counter } = settledHistory({ lruCap: 1 });
    const r = (asOf: number) => store.read({ store: 'items', key: 'k', asOf });
    r(1_000);
    r(1_000);
    expect(counter.misses).toBe(1);
    r(2_000);
    r(1_000);
    expect(counter.misses).toBe(3);
  });

  it('caches no time-travel answer with lruCap 0', () => {
    const { store } = settledHistory({ lruCap: 0 });
    const first = store.query({ store: 'items', scope: 'all', asOf: 1_500 });
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500 })).not.toBe(first);
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500 })).toEqual(first);
  });

  it('keeps read and query answers for the same time apart', () => {
    const { store } = settledHistory();
    expect(store.read({ store: 'items', key: 'k', asOf: 2_500 })).toEqual({ wrapped: 2_000 });
    expect(store.query({ store: 'items', scope: 'all', asOf: 2_500 }).map((f) => f.key)).toEqual(['k']);
    expect(store.read({ store: 'items', key: 'k', asOf: 2_500 })).toEqual({ wrapped: 2_000 });
  });
});

describe(`read cache: ttl and cacheTtl age answers on the store clock (${ENGINE_KIND} engine)`, () => {
  it('serves a read no older than ttl from the cache and recomputes an older one', () => {
    const { store, time, counter } = countingStore();
    store.write({ store: 'items', key: 'a', value: 1 });
    time.set(5_000);
    store.read({ store: 'items', key: 'a' });
    time.set(5_100);
    store.read({ store: 'items', key: 'a', ttl: 100 });
    expect(counter.misses).toBe(1);
    time.set(5_101);
    store.read({ store: 'items', key: 'a', ttl: 100 });
    expect(counter.misses).toBe(2);
  });

  it('keeps an entry that was too old for one ttl for reads without ttl', () => {
    const { store, time, counter } = countingStore();
    store.write({ store: 'items', key: 'a', value: 1 });
    store.read({ store: 'items', key: 'a' });
    time.advance(1_000);
    store.read({ store: 'items', key: 'a' });
    expect(counter.misses).toBe(1);
    store.read({ store: 'items', key: 'a', ttl: 10 });
    store.read({ store: 'items', key: 'a' });
    expect(counter.misses).toBe(2);
  });

  it('reuses a query answer within the path cacheTtl and recomputes it after', () => {
    const { store, time } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true }, cacheTtl: 60 });
    store.write({ store: 'tasks', key: 't1', value: { open: true } });
    const first = store.query({ store: 'tasks', scope: 'open' });
    time.advance(60);
    expect(store.query({ store: 'tasks', scope: 'open' })).toBe(first);
    time.advance(1);
    const later = store.query({ store: 'tasks', scope: 'open' });
    expect(later).not.toBe(first);
    expect(later).toEqual(first);
  });

  it('applies the smaller of the query ttl and the path cacheTtl', () => {
    const { store, time } = newStore();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true }, cacheTtl: 60 });
    store.write({ store: 'tasks', key: 't1', value: { open: true } });
    const first = store.query({ store: 'tasks', scope: 'open' });
    time.advance(20);
    expect(store.query({ store: 'tasks', scope: 'open', ttl: 20 })).toBe(first);
    time.advance(1);
    expect(store.query({ store: 'tasks', scope: 'open', ttl: 20 })).not.toBe(first);
  });

  it('ages time-travel answers by ttl too', () => {
    const { store, time } = settledHistory();
    const first = store.query({ store: 'items', scope: 'all', asOf: 1_500 });
    time.advance(50);
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500, ttl: 50 })).toBe(first);
    time.advance(1);
    expect(store.query({ store: 'items', scope: 'all', asOf: 1_500, ttl: 50 })).not.toBe(first);
  });

  it('serves a query within ttl 0 only at the same clock reading', () => {
    const { store, time } = newStore();
    store.registerPath({ store: 'tasks', scope: 'all' });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    const first = store.query({ store: 'tasks', scope: 'all' });
    expect(store.query({ store: 'tasks', scope: 'all', ttl: 0 })).toBe(first);
    time.advance(1);
    expect(store.query({ store: 'tasks', scope: 'all', ttl: 0 })).not.toBe(first);
  });
});

describe('ReadCache (§11 item 17: precise and bounded)', () => {
  it('drops only the entries of the invalidated key, however many others it holds', () => {
    const cache = new ReadCache<number>(10);
    for (let i = 0; i < 1_000; i++) cache.putRead('s', `k${i}`, '', i, 0);
    cache.putRead('s', 'k7', 'v100', -7, 0);
    cache.invalidateKey('s', 'k7');
    expect(cache.getRead('s', 'k7', '', 0)).toBeUndefined();
    expect(cache.getRead('s', 'k7', 'v100', 0)).toBeUndefined();
    expect(cache.getRead('s', 'k8', '', 0)?.value).toBe(8);
    expect(cache.getRead('s', 'k999', '', 0)?.value).toBe(999);
  });

  it('gives a slot freed by an invalidated key to the next key, with its own value and time', () => {
    const cache = new ReadCache<string>(10);
    cache.putLatest('s', 'a', 'a1', 100);
    cache.putLatest('s', 'b', 'b1', 200);
    cache.putLatest('t', 'a', 'ta1', 300);
    cache.invalidateKey('s', 'a');
    cache.putLatest('s', 'c', 'c1', 400);
    cache.putLatest('s', 'b', 'b2', 500);
    expect(cache.getLatest('s', 'a', 1_000)).toBeUndefined();
    expect(cache.getLatest('s', 'c', 1_000)).toBe('c1');
    expect(cache.getRead('s', 'c', '', 1_000)).toEqual({ value: 'c1', at: 400 });
    expect(cache.getRead('s', 'b', '', 1_000)).toEqual({ value: 'b2', at: 500 });
    expect(cache.getLatest('t', 'a', 1_000)).toBe('ta1');
    // ttl is measured from each slot's own time: c (read at 400) is 600 ms old at 1000.
    expect(cache.getLatest('s', 'c', 1_000, 599)).toBeUndefined();
    expect(cache.getLatest('s', 'c', 1_000, 600)).toBe('c1');
    expect(cache.getLatest('s', 'b', 1_000, 500)).toBe('b2');
    cache.invalidateKey('s', 'c');
    cache.invalidateKey('s', 'b');
    expect(cache.getLatest('s', 'b', 1_000)).toBeUndefined();
    expect(cache.getLatest('t', 'a', 1_000)).toBe('ta1');
  });

  it('keeps the values of many keys apart as slots are freed and reused', () => {
    const cache = new ReadCache<number>(10);
    for (let i = 0; i < 500; i++) cache.putLatest('s', `k${i}`, i, i);
    for (let i = 0; i < 500; i += 3) cache.invalidateKey('s', `k${i}`);
    for (let i = 500; i < 800; i++) cache.putLatest('s', `k${i}`, i, i);
    for (let i = 0; i < 800; i++) {
      const held = cache.getLatest('s', `k${i}`, 1_000);
      expect(held).toBe(i < 500 && i % 3 === 0 ? undefined : i);
    }
  });

  it('drops only the invalidated scope of a store', () => {
    const cache = new ReadCache<string>(10);
    cache.putScope('s', 'open', '', 'open answer', 0);
    cache.putScope('s', 'done', '', 'done answer', 0);
    cache.putScope('t', 'open', '', 'other store', 0);
    cache.putRead('s', 'open', '', 'a read of key "open"', 0);
    cache.invalidateScope('s', 'open');
    expect(cache.getScope('s', 'open', '', 0)).toBeUndefined();
    expect(cache.getScope('s', 'done', '', 0)?.value).toBe('done answer');
    expect(cache.getScope('t', 'open', '', 0)?.value).toBe('other store');
    expect(cache.getRead('s', 'open', '', 0)?.value).toBe('a read of key "open"');
  });

  it('bounds current-state entries and leaves time-travel entries alone when it drops them', () => {
    const cache = new ReadCache<number>(10, 3);
    cache.putTimeTravel('tt', 0, 0);
    for (let i = 0; i < 3; i++) cache.putRead('s', `k${i}`, '', i, 0);
    cache.putRead('s', 'k3', '', 3, 0);
    expect(cache.getRead('s', 'k0', '', 0)).toBeUndefined();
    expect(cache.getRead('s', 'k3', '', 0)?.value).toBe(3);
    expect(cache.getTimeTravel('tt', 0)?.value).toBe(0);
  });

  it('counts a key read again, or invalidated, once towards the bound', () => {
    const cache = new ReadCache<number>(10, 3);
    for (let i = 0; i < 5; i++) cache.putRead('s', 'k0', '', i, 0);
    cache.putRead('s', 'k1', '', 1, 0);
    cache.putRead('s', 'k1', 'v1', 11, 0);
    expect(cache.getRead('s', 'k0', '', 0)?.value).toBe(4);
    cache.invalidateKey('s', 'k1');
    cache.invalidateKey('s', 'k1');
    cache.putRead('s', 'k2', '', 2, 0);
    cache.putRead('t', 'k0', '', 20, 0);
    // Three entries held (s/k0, s/k2, t/k0): the bound is reached, not passed.
    expect(cache.getRead('s', 'k0', '', 0)?.value).toBe(4);
    expect(cache.getRead('s', 'k1', 'v1', 0)).toBeUndefined();
    expect(cache.getRead('t', 'k0', '', 0)?.value).toBe(20);
    cache.putRead('t', 'k1', '', 21, 0);
    expect(cache.getRead('s', 'k0', '', 0)).toBeUndefined();
    expect(cache.getRead('t', 'k1', '', 0)?.value).toBe(21);
  });

  it('counts only time-travel entries in lruSize', () => {
    const cache = new ReadCache<number>(2);
    cache.putTimeTravel('a', 1, 0);
    cache.putTimeTravel('b', 2, 0);
    for (let i = 0; i < 10; i++) cache.putRead('s', `k${i}`, '', i, 0);
    expect(cache.lruSize).toBe(2);
    expect(cache.getRead('s', 'k9', '', 0)?.value).toBe(9);
    expect(cache.getTimeTravel('a', 0)?.value).toBe(1);
  });
});
