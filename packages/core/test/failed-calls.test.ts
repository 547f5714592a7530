import { describe, expect, it } from 'vitest';
import type { Json } from '../src/json.js';
import type { ConsumerEvent } from '../src/schema-graph.js';
import type { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend, RecordingSink } from './support/memory-backend.js';
import { newStore } from './support/store.js';

/**
 * A store with everything a commit touches made observable: a backend, a changefeed, point and
 * scope consumers, a warm scope index and query cache, a warm partition index and a warm read
 * cache whose misses are counted by a coercion.
 */
function watchedStore() {
  const backend = new MemoryBackend();
  const sink = new RecordingSink();
  const made = newStore({ backend, changefeed: sink, maxValueBytes: 64 });
  const { store, time } = made;
  const consumed: ConsumerEvent[] = [];
  const readMisses = { count: 0 };
  store.registerPath({ store: 'tasks', consumers: [(e) => consumed.push(e)] });
  store.registerPath({
    store: 'tasks',
    scope: 'open',
    filters: { open: true },
    consumers: [(e) => consumed.push(e)],
  });
  store.registerCoercion('tasks', (value: Json) => {
    readMisses.count += 1;
    return value;
  });
  time.set(5_000);
  store.write({ store: 'tasks', key: 't1', value: { open: true, tid: 'a' }, idempotencyKey: 'req-1' });
  store.append({ history: 'tasks', event: { open: false, tid: 'a' }, partitionKey: 'tid' });
  const warm = {
    query: store.query({ store: 'tasks', scope: 'open' }),
    partition: store.historyPartition({ store: 'tasks', partitionKey: 'tid', partitionValue: 'a' }),
    read: store.read({ store: 'tasks', key: 't1' }),
  };
  consumed.length = 0;
  const before = {
    ids: store.factLogAll().map((f) => f.id),
    published: sink.published.length,
    backendFacts: backend.facts.length,
    readMisses: readMisses.count,
  };
  time.set(9_000);
  return { ...made, backend, sink, consumed, readMisses, warm, before };
}

type Watched = ReturnType<typeof watchedStore>;

const failingCalls: Array<[string, (w: Watched) => unknown]> = [
  [
    'a write of a non-JSON value',
    ({ store }) => store.write({ store: 'tasks', key: 't1', value: { n: Number.NaN } }),
  ],
  [
    'a write over the size limit',
    ({ store }) => store.write({ store: 'tasks', key: 't1', value: 'x'.repeat(100) }),
  ],
  ['a write to a reserved store', ({ store }) => store.write({ store: '__tasks', key: 't1', value: 1 })],
  [
    'a write with a bad validTime',
    ({ store }) => store.write({ store: 'tasks', key: 't1', value: { open: false }, validTime: Number.NaN }),
  ],
  [
    'a write whose expect does not hold',
    ({ store }) =>
      store.write({ store: 'tasks', key: 't1', value: { open: false }, expect: { absent: true } }),
  ],
  [
    'a write reusing an idempotency key with another value',
    ({ store }) => store.write({ store: 'tasks', key: 't2', value: { open: true }, idempotencyKey: 'req-1' }),
  ],
  [
    'an append of a non-object event',
    ({ store }) => store.append({ history: 'tasks', event: [1] as unknown as { [k: string]: Json } }),
  ],
  [
    'an append over the size limit',
    ({ store }) => store.append({ history: 'tasks', event: { open: true, tid: 'a', text: 'x'.repeat(100) } }),
  ],
  [
    'a batch whose third input is invalid',
    ({ store }) =>
      store.writeMany([
        { store: 'tasks', key: 't2', value: { open: true, tid: 'a' } },
        { store: 'tasks', key: 't1', value: { open: false } },
        { store: 'tasks', key: 't3', value: { bad: undefined } as unknown as Json },
      ]),
  ],
  [
    'a batch with a conflicting expect',
    ({ store }) =>
      store.writeMany([
        { store: 'tasks', key: 't2', value: { open: true, tid: 'a' } },
        { store: 'tasks', key: 't1', value: { open: false }, expect: { seq: 99 } },
      ]),
  ],
  [
    'a write the backend refuses',
    ({ store, backend }) => {
      backend.failWrites = true;
      try {
        return store.write({ store: 'tasks', key: 't1', value: { open: false, tid: 'a' } });
      } finally {
        backend.failWrites = false;
      }
    },
  ],
  [
    'an append the backend refuses',
    ({ store, backend }) => {
      backend.failWrites = true;
      try {
        return store.append({ history: 'tasks', event: { open: true, tid: 'a' } });
      } finally {
        backend.failWrites = false;
      }
    },
  ],
];

function attempt(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function queryKeys(store: IgniterStore): string[] {
  return store.query({ store: 'tasks', scope: 'open' }).map((f) => f.key);
}

describe(`a call that throws changes nothing (${ENGINE_KIND} engine)`, () => {
  it.each(failingCalls)('%s throws', (_name, call) => {
    const watched = watchedStore();
    expect(attempt(() => call(watched))).toBeInstanceOf(Error);
  });

  it.each(failingCalls)('%s leaves no fact, in memory or in the backend', (_name, call) => {
    const watched = watchedStore();
    attempt(() => call(watched));
    expect(watched.store.factLogAll().map((f) => f.id)).toEqual(watched.before.ids);
    expect(watched.store.factCount()).toBe(watched.before.ids.length);
    expect(watched.backend.facts).toHaveLength(watched.before.backendFacts);
    expect(watched.store.read({ store: 'tasks', key: 't2' })).toBeUndefined();
  });

  it.each(failingCalls)('%s consumes no seq and does not move the transaction-time floor', (_name, call) => {
    const watched = watchedStore();
    attempt(() => call(watched));
    watched.time.set(6_000);
    const next = watched.store.write({ store: 'elsewhere', key: 'k', value: 1 });
    expect(next.seq).toBe(watched.before.ids.length + 1);
    expect(next.transactionTime).toBe(6_000);
  });

  it.each(failingCalls)('%s leaves every index and cached answer as it was', (_name, call) => {
    const watched = watchedStore();
    attempt(() => call(watched));
    const { store, warm } = watched;
    expect(store.query({ store: 'tasks', scope: 'open' })).toBe(warm.query);
    expect(store.read({ store: 'tasks', key: 't1' })).toBe(warm.read);
    expect(watched.readMisses.count).toBe(watched.before.readMisses);
    expect(store.historyPartition({ store: 'tasks', partitionKey: 'tid', partitionValue: 'a' })).toEqual(
      warm.partition,
    );
    expect(queryKeys(store)).toEqual(['t1']);
  });

  it.each(failingCalls)('%s calls no consumer and publishes no event', (_name, call) => {
    const watched = watchedStore();
    attempt(() => call(watched));
    expect(watched.consumed).toEqual([]);
    expect(watched.sink.published).toHaveLength(watched.before.published);
  });

  it('lets the backend error through unchanged', () => {
    const watched = watchedStore();
    watched.backend.failWrites = true;
    expect(attempt(() => watched.store.write({ store: 'tasks', key: 't1', value: 1 }))).toMatchObject({
      message: 'disk full',
    });
  });
});
