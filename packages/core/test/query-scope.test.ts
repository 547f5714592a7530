import { describe, expect, it } from 'vitest';
import type { Fact } from '../src/fact.js';
import type { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

function tasks() {
  const made = newStore();
  made.store.registerPath({ store: 'tasks', scope: 'pending', filters: { status: 'pending' } });
  made.store.registerPath({ store: 'tasks', scope: 'done', filters: { status: 'done' } });
  return made;
}

const keysOf = (facts: readonly Fact[]): string[] => facts.map((f) => f.key);
const pending = (store: IgniterStore): string[] => keysOf(store.query({ store: 'tasks', scope: 'pending' }));
const done = (store: IgniterStore): string[] => keysOf(store.query({ store: 'tasks', scope: 'done' }));

describe(`query (${ENGINE_KIND} engine)`, () => {
  it('returns the latest fact of every key whose value matches the scope filters', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending', title: 'A' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'done', title: 'B' } });
    const t3 = store.write({ store: 'tasks', key: 't3', value: { status: 'pending', title: 'C' } });
    const result = store.query({ store: 'tasks', scope: 'pending' });
    expect(result.map((f) => (f.value as { title: string }).title)).toEqual(['A', 'C']);
    expect(result[1]).toEqual(t3);
  });

  it('moves a key between scopes when its latest value changes', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    expect(pending(store)).toEqual([]);
    expect(done(store)).toEqual(['t1']);
  });

  it('returns keys in UTF-16 code unit order, not write order', () => {
    const { store } = tasks();
    for (const key of ['c', 'a', 'B', '\u{1F600}', '\uFF5E', 'b']) {
      store.write({ store: 'tasks', key, value: { status: 'pending' } });
    }
    expect(pending(store)).toEqual(['B', 'a', 'b', 'c', '\u{1F600}', '\uFF5E']);
  });

  it('keeps UTF-16 order after a key leaves the scope and comes back', () => {
    const { store } = tasks();
    for (const key of ['c', 'a', 'b']) store.write({ store: 'tasks', key, value: { status: 'pending' } });
    expect(pending(store)).toEqual(['a', 'b', 'c']);
    store.write({ store: 'tasks', key: 'a', value: { status: 'done' } });
    store.write({ store: 'tasks', key: 'a', value: { status: 'pending' } });
    expect(pending(store)).toEqual(['a', 'b', 'c']);
  });

  it('sees a key written after the scope was queried', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(pending(store)).toEqual(['t1']);
    store.write({ store: 'tasks', key: 't2', value: { status: 'pending' } });
    expect(pending(store)).toEqual(['t1', 't2']);
  });

  it('fills a scope that was queried while empty', () => {
    const { store } = tasks();
    expect(pending(store)).toEqual([]);
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(pending(store)).toEqual(['t1']);
  });

  it('returns the same answer from the maintained index as a fresh store would', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'done' } });
    store.write({ store: 'tasks', key: 't3', value: { status: 'pending' } });
    expect(pending(store)).toEqual(['t1', 't3']);
    expect(pending(store)).toEqual(['t1', 't3']);
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'pending' } });
    const fresh = tasks().store;
    for (const fact of store.factLogAll())
      fresh.write({ store: fact.store, key: fact.key, value: fact.value });
    expect(pending(store)).toEqual(pending(fresh));
    expect(done(store)).toEqual(done(fresh));
    expect(pending(store)).toEqual(['t2', 't3']);
  });

  it('answers asOf queries from the log, whatever the current index holds', () => {
    const { store, time } = tasks();
    time.set(1_000);
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    time.set(2_000);
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    expect(pending(store)).toEqual([]);
    expect(keysOf(store.query({ store: 'tasks', scope: 'pending', asOf: 1_500 }))).toEqual(['t1']);
    expect(keysOf(store.query({ store: 'tasks', scope: 'done', asOf: 1_500 }))).toEqual([]);
  });

  it('includes a fact whose transaction time equals asOf', () => {
    const { store, time } = tasks();
    time.set(1_000);
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(keysOf(store.query({ store: 'tasks', scope: 'pending', asOf: 1_000 }))).toEqual(['t1']);
    expect(keysOf(store.query({ store: 'tasks', scope: 'pending', asOf: 999 }))).toEqual([]);
  });

  it('matches filters by field equality: 1 and "1" differ, a missing field never equals null', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'one', filters: { n: 1 } });
    store.registerPath({ store: 's', scope: 'nil', filters: { n: null } });
    store.write({ store: 's', key: 'number', value: { n: 1 } });
    store.write({ store: 's', key: 'string', value: { n: '1' } });
    store.write({ store: 's', key: 'null', value: { n: null } });
    store.write({ store: 's', key: 'missing', value: { m: 1 } });
    expect(keysOf(store.query({ store: 's', scope: 'one' }))).toEqual(['number']);
    expect(keysOf(store.query({ store: 's', scope: 'nil' }))).toEqual(['null']);
  });

  it('matches nested filter values by deep equality, regardless of key order', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'here', filters: { at: { x: 1, y: [2, 3] } } });
    store.write({ store: 's', key: 'same', value: { at: { y: [2, 3], x: 1 } } });
    store.write({ store: 's', key: 'more', value: { at: { x: 1, y: [2, 3], z: 0 } } });
    store.write({ store: 's', key: 'order', value: { at: { x: 1, y: [3, 2] } } });
    expect(keysOf(store.query({ store: 's', scope: 'here' }))).toEqual(['same']);
  });

  it('never matches a non-object value against a non-empty filter', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'open', filters: { status: 'open' } });
    store.write({ store: 's', key: 'string', value: 'open' });
    store.write({ store: 's', key: 'array', value: ['open'] });
    store.write({ store: 's', key: 'null', value: null });
    store.write({ store: 's', key: 'object', value: { status: 'open' } });
    expect(keysOf(store.query({ store: 's', scope: 'open' }))).toEqual(['object']);
  });

  it('lists every key, objects or not, under an empty filter', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'all' });
    store.write({ store: 's', key: 'b', value: 'plain' });
    store.write({ store: 's', key: 'a', value: { x: 1 } });
    expect(keysOf(store.query({ store: 's', scope: 'all' }))).toEqual(['a', 'b']);
  });

  it('returns a frozen array', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(Object.isFrozen(store.query({ store: 'tasks', scope: 'pending' }))).toBe(true);
  });

  it('throws ERR_NO_PATH naming the store and scope when no path is registered', () => {
    const { store } = tasks();
    const error = thrown(() => store.query({ store: 'tasks', scope: 'unknown' }));
    expect(error.code).toBe('ERR_NO_PATH');
    expect(error.message).toContain('"tasks"');
    expect(error.message).toContain('"unknown"');
    expect(error.details).toEqual({ store: 'tasks', scope: 'unknown' });
  });

  it('answers a query without a scope from the latest values, though only scope paths are registered', () => {
    const { store } = tasks();
    store.write({ store: 'tasks', key: 't2', value: { status: 'done' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(keysOf(store.query({ store: 'tasks' }))).toEqual(['t1', 't2']);
  });

  it('uses the filters of a path registered again for the same scope', () => {
    const { store } = newStore();
    store.registerPath({ store: 's', scope: 'sel', filters: { c: 'red' } });
    store.write({ store: 's', key: 'r', value: { c: 'red' } });
    store.write({ store: 's', key: 'b', value: { c: 'blue' } });
    expect(keysOf(store.query({ store: 's', scope: 'sel' }))).toEqual(['r']);
    store.registerPath({ store: 's', scope: 'sel', filters: { c: 'blue' } });
    expect(keysOf(store.query({ store: 's', scope: 'sel' }))).toEqual(['b']);
  });

  it('uses the filters of a path registered again for asOf queries answered before', () => {
    const { store, time } = newStore();
    store.registerPath({ store: 's', scope: 'sel', filters: { c: 'red' } });
    time.set(1_000);
    store.write({ store: 's', key: 'r', value: { c: 'red' } });
    store.write({ store: 's', key: 'b', value: { c: 'blue' } });
    time.set(2_000);
    store.write({ store: 'other', key: 'x', value: 1 });
    expect(keysOf(store.query({ store: 's', scope: 'sel', asOf: 1_500 }))).toEqual(['r']);
    store.registerPath({ store: 's', scope: 'sel', filters: { c: 'blue' } });
    expect(keysOf(store.query({ store: 's', scope: 'sel', asOf: 1_500 }))).toEqual(['b']);
  });

  it('is unaffected when the caller mutates the filters object after registering', () => {
    const { store } = newStore();
    const filters: Record<string, string> = { c: 'red' };
    store.registerPath({ store: 's', scope: 'sel', filters });
    store.write({ store: 's', key: 'r', value: { c: 'red' } });
    expect(keysOf(store.query({ store: 's', scope: 'sel' }))).toEqual(['r']);
    filters.c = 'blue';
    store.write({ store: 's', key: 'b', value: { c: 'blue' } });
    expect(keysOf(store.query({ store: 's', scope: 'sel' }))).toEqual(['r']);
    expect(store.schemaGraph.metadataSnapshot().s?.[0]?.filters).toEqual({ c: 'red' });
  });
});

describe(`the scope index is maintained by every write and append (${ENGINE_KIND} engine)`, () => {
  it('includes appended events in a warm scope (§11 item 13)', () => {
    const { store } = newStore();
    store.registerPath({ store: 'ev', scope: 'all' });
    store.append({ history: 'ev', event: { n: 1 } });
    expect(store.query({ store: 'ev', scope: 'all' })).toHaveLength(1);
    store.append({ history: 'ev', event: { n: 2 } });
    expect(store.query({ store: 'ev', scope: 'all' })).toHaveLength(2);
    store.write({ store: 'ev', key: 'x', value: { n: 3 } });
    expect(store.query({ store: 'ev', scope: 'all' })).toHaveLength(3);
  });

  it('includes appended events that match a filtered scope', () => {
    const { store } = newStore();
    store.registerPath({ store: 'ev', scope: 'errors', filters: { level: 'error' } });
    expect(store.query({ store: 'ev', scope: 'errors' })).toEqual([]);
    const e = store.append({ history: 'ev', event: { level: 'error' } });
    store.append({ history: 'ev', event: { level: 'info' } });
    expect(store.query({ store: 'ev', scope: 'errors' })).toEqual([e]);
  });

  it('keeps a point path (no scope) current as new keys arrive (§11 item 15)', () => {
    const { store } = newStore();
    store.registerPath({ store: 's' });
    store.write({ store: 's', key: 'old', value: 1 });
    expect(keysOf(store.query({ store: 's', scope: null }))).toEqual(['old']);
    store.write({ store: 's', key: 'new', value: 2 });
    store.append({ history: 's', event: { n: 3 } });
    const keys = keysOf(store.query({ store: 's' }));
    expect(keys).toHaveLength(3);
    expect(keys.slice(1)).toEqual(['new', 'old']);
  });

  it('returns the latest fact of each key from a point path', () => {
    const { store } = newStore();
    store.registerPath({ store: 's' });
    store.write({ store: 's', key: 'k', value: 1 });
    expect(store.query({ store: 's' }).map((f) => f.value)).toEqual([1]);
    const latest = store.write({ store: 's', key: 'k', value: 2 });
    expect(store.query({ store: 's' })).toEqual([latest]);
  });

  it('keeps a scope named like an internal slot apart from the point path (§11 item 18)', () => {
    const { store } = newStore();
    store.registerPath({ store: 's' });
    store.registerPath({ store: 's', scope: '\u0000point', filters: { keep: true } });
    store.registerPath({ store: 's', scope: 'null', filters: { keep: false } });
    store.write({ store: 's', key: 'a', value: { keep: true } });
    store.write({ store: 's', key: 'b', value: { keep: false } });
    expect(keysOf(store.query({ store: 's' }))).toEqual(['a', 'b']);
    expect(keysOf(store.query({ store: 's', scope: '\u0000point' }))).toEqual(['a']);
    expect(keysOf(store.query({ store: 's', scope: 'null' }))).toEqual(['b']);
    expect(keysOf(store.query({ store: 's', asOf: 5_000 }))).toEqual(['a', 'b']);
    expect(keysOf(store.query({ store: 's', scope: 'null', asOf: 5_000 }))).toEqual(['b']);
  });

  it('keeps a store named like a cache prefix apart from other stores (§11 item 18)', () => {
    const { store } = newStore();
    store.registerPath({ store: 'scope', scope: 'open', filters: { open: true } });
    store.registerPath({ store: 'tasks', scope: 'open', filters: { open: true } });
    store.write({ store: 'scope', key: 'open', value: { open: true } });
    store.write({ store: 'tasks', key: 't', value: { open: true } });
    expect(store.read({ store: 'scope', key: 'open' })).toEqual({ open: true });
    expect(keysOf(store.query({ store: 'scope', scope: 'open' }))).toEqual(['open']);
    expect(keysOf(store.query({ store: 'tasks', scope: 'open' }))).toEqual(['t']);
    store.write({ store: 'scope', key: 'open', value: { open: false } });
    expect(keysOf(store.query({ store: 'scope', scope: 'open' }))).toEqual([]);
    expect(keysOf(store.query({ store: 'tasks', scope: 'open' }))).toEqual(['t']);
  });
});
