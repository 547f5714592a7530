import { describe, expect, it } from 'vitest';
import type { ConsumerEvent } from '../src/schema-graph.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend, RecordingSink } from './support/memory-backend.js';
import { newStore, thrown } from './support/store.js';

function observed() {
  const sink = new RecordingSink();
  const made = newStore({ changefeed: sink });
  const consumed: ConsumerEvent[] = [];
  made.store.registerPath({ store: 'orders', consumers: [(e) => consumed.push(e)] });
  made.store.registerPath({ store: 'logs', consumers: [(e) => consumed.push(e)] });
  return { ...made, sink, consumed };
}

describe(`expect (${ENGINE_KIND} engine)`, () => {
  it('commits with { absent: true } when the key has no fact', () => {
    const { store } = newStore();
    expect(store.write({ store: 'orders', key: 'o1', value: 1, expect: { absent: true } }).seq).toBe(1);
  });

  it('throws ERR_CONFLICT with { store, key, expected, actualSeq } when an absent key exists', () => {
    const { store } = newStore();
    store.write({ store: 'other', key: 'x', value: 0 });
    store.write({ store: 'orders', key: 'o1', value: 1 });
    const error = thrown(() =>
      store.write({ store: 'orders', key: 'o1', value: 2, expect: { absent: true } }),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({
      store: 'orders',
      key: 'o1',
      expected: { absent: true },
      actualSeq: 2,
    });
  });

  it('commits with { seq } when it is the seq of the latest fact of the key', () => {
    const { store } = newStore();
    const first = store.write({ store: 'orders', key: 'o1', value: 1 });
    store.write({ store: 'orders', key: 'o2', value: 1 });
    const second = store.write({ store: 'orders', key: 'o1', value: 2, expect: { seq: first.seq } });
    expect(second.causation).toBe(first.id);
  });

  it('throws ERR_CONFLICT with the actual seq when the key moved on', () => {
    const { store } = newStore();
    const first = store.write({ store: 'orders', key: 'o1', value: 1 });
    store.write({ store: 'orders', key: 'o1', value: 2 });
    const error = thrown(() =>
      store.write({ store: 'orders', key: 'o1', value: 3, expect: { seq: first.seq } }),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({ store: 'orders', key: 'o1', expected: { seq: 1 }, actualSeq: 2 });
  });

  it('reports actualSeq null when { seq } meets a key without facts', () => {
    const { store } = newStore();
    const error = thrown(() => store.write({ store: 'orders', key: 'o1', value: 1, expect: { seq: 1 } }));
    expect(error.details).toStrictEqual({
      store: 'orders',
      key: 'o1',
      expected: { seq: 1 },
      actualSeq: null,
    });
  });

  it('writes nothing, consumes no seq and tells nobody on a conflict', () => {
    const { store, sink, consumed } = observed();
    store.write({ store: 'orders', key: 'o1', value: 1 });
    consumed.length = 0;
    thrown(() => store.write({ store: 'orders', key: 'o1', value: 2, expect: { absent: true } }));
    expect(store.factCount()).toBe(1);
    expect(store.read({ store: 'orders', key: 'o1' })).toBe(1);
    expect(consumed).toEqual([]);
    expect(sink.published.map((e) => e.seq)).toEqual([1]);
    expect(store.write({ store: 'orders', key: 'o1', value: 3 }).seq).toBe(2);
  });
});

describe(`expect in writeMany (${ENGINE_KIND} engine)`, () => {
  it('counts earlier inputs of the same batch', () => {
    const { store } = newStore();
    store.write({ store: 'other', key: 'x', value: 0 });
    const facts = store.writeMany([
      { store: 'orders', key: 'o1', value: 1, expect: { absent: true } },
      { store: 'orders', key: 'o2', value: 1, expect: { absent: true } },
      { store: 'orders', key: 'o1', value: 2, expect: { seq: 2 } },
    ]);
    expect(facts.map((f) => f.seq)).toEqual([2, 3, 4]);
    expect(facts[2]?.causation).toBe(facts[0]?.id);
  });

  it('fails the whole batch when a later input expects a key an earlier input creates to be absent', () => {
    const { store } = newStore();
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o0', value: 0 },
        { store: 'orders', key: 'o1', value: 1, expect: { absent: true } },
        { store: 'orders', key: 'o1', value: 2, expect: { absent: true } },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({
      store: 'orders',
      key: 'o1',
      expected: { absent: true },
      actualSeq: 2,
    });
    expect(store.factCount()).toBe(0);
  });

  it('fails the whole batch when an input conflicts with the store', () => {
    const { store } = newStore();
    store.write({ store: 'orders', key: 'o1', value: 1 });
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o2', value: 1 },
        { store: 'orders', key: 'o1', value: 2, expect: { seq: 7 } },
      ]),
    );
    expect(error.details).toStrictEqual({ store: 'orders', key: 'o1', expected: { seq: 7 }, actualSeq: 1 });
    expect(store.factCount()).toBe(1);
    expect(store.read({ store: 'orders', key: 'o2' })).toBeUndefined();
  });
});

describe(`writeMany atomicity (${ENGINE_KIND} engine)`, () => {
  it('writes nothing when the third input is invalid', () => {
    const { store, sink, consumed } = observed();
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'a', value: 1 },
        { store: 'orders', key: 'b', value: 2 },
        { store: 'orders', key: 'c', value: { n: Number.NaN } },
      ]),
    );
    expect(error.code).toBe('ERR_INVALID_VALUE');
    expect(store.factCount()).toBe(0);
    expect(store.read({ store: 'orders', key: 'a' })).toBeUndefined();
    expect(consumed).toEqual([]);
    expect(sink.published).toEqual([]);
    expect(store.write({ store: 'orders', key: 'a', value: 1 }).seq).toBe(1);
  });

  it('writes nothing when the third input has a bad argument', () => {
    const { store } = newStore();
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'a', value: 1 },
        { store: 'orders', key: 'b', value: 2 },
        { store: 'orders', key: '', value: 3 },
      ]),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(store.factCount()).toBe(0);
  });

  it('commits the inputs in order as if by write', () => {
    const { store, time, consumed } = observed();
    time.set(5_000);
    const facts = store.writeMany([
      { store: 'orders', key: 'a', value: 1 },
      { store: 'orders', key: 'a', value: 2 },
      { store: 'orders', key: 'b', value: 3, validTime: 10 },
    ]);
    expect(facts.map((f) => [f.seq, f.key, f.value, f.transactionTime])).toEqual([
      [1, 'a', 1, 5_000],
      [2, 'a', 2, 5_000],
      [3, 'b', 3, 5_000],
    ]);
    expect(facts[1]?.causation).toBe(facts[0]?.id);
    expect(facts[2]?.validTime).toBe(10);
    expect(consumed.map((e) => e.key)).toEqual(['a', 'a', 'b']);
  });

  it('returns an empty list for an empty batch', () => {
    const { store } = newStore();
    expect(store.writeMany([])).toEqual([]);
    expect(store.factCount()).toBe(0);
  });
});

describe(`idempotencyKey (${ENGINE_KIND} engine)`, () => {
  it('is recorded on the fact', () => {
    const { store } = newStore();
    expect(
      store.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' }).idempotencyKey,
    ).toBe('req-1');
  });

  it('returns the original fact for a repeat with the same value, writing nothing and telling nobody', () => {
    const { store, time, sink, consumed } = observed();
    const original = store.write({
      store: 'orders',
      key: 'o1',
      value: { total: 5 },
      idempotencyKey: 'req-1',
    });
    time.advance(1_000);
    const repeat = store.write({ store: 'orders', key: 'o1', value: { total: 5 }, idempotencyKey: 'req-1' });
    expect(repeat).toEqual(original);
    expect(store.factCount()).toBe(1);
    expect(consumed).toHaveLength(1);
    expect(sink.published).toHaveLength(1);
    expect(store.write({ store: 'orders', key: 'o2', value: 1 }).seq).toBe(2);
  });

  it('compares values by canonical form', () => {
    const { store } = newStore();
    const original = store.write({
      store: 'orders',
      key: 'o1',
      value: { a: 1, b: 2 },
      idempotencyKey: 'req-1',
    });
    expect(
      store.write({ store: 'orders', key: 'o1', value: { b: 2, a: 1 }, idempotencyKey: 'req-1' }),
    ).toEqual(original);
  });

  it('throws ERR_CONFLICT with { store, idempotencyKey, factId } for a repeat with another value', () => {
    const { store } = newStore();
    const original = store.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' });
    const error = thrown(() =>
      store.write({ store: 'orders', key: 'o1', value: 2, idempotencyKey: 'req-1' }),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({ store: 'orders', idempotencyKey: 'req-1', factId: original.id });
    expect(store.factCount()).toBe(1);
  });

  it('is scoped to its store', () => {
    const { store } = newStore();
    const a = store.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' });
    const b = store.write({ store: 'payments', key: 'p1', value: 2, idempotencyKey: 'req-1' });
    expect(b).not.toBe(a);
    expect(store.factCount()).toBe(2);
  });

  it('lets a retried write with expect return the original fact instead of a conflict', () => {
    const { store } = newStore();
    const input = {
      store: 'orders',
      key: 'o1',
      value: 1,
      expect: { absent: true },
      idempotencyKey: 'req-1',
    } as const;
    const original = store.write(input);
    expect(store.write(input)).toEqual(original);
  });

  it('makes a repeated append return the original event', () => {
    const { store, consumed } = observed();
    const original = store.append({ history: 'logs', event: { n: 1 }, idempotencyKey: 'evt-1' });
    expect(store.append({ history: 'logs', event: { n: 1 }, idempotencyKey: 'evt-1' })).toEqual(original);
    expect(store.factCount()).toBe(1);
    expect(consumed).toHaveLength(1);
  });

  it('rejects a repeated append with another event', () => {
    const { store } = newStore();
    const original = store.append({ history: 'logs', event: { n: 1 }, idempotencyKey: 'evt-1' });
    const error = thrown(() => store.append({ history: 'logs', event: { n: 2 }, idempotencyKey: 'evt-1' }));
    expect(error.details).toStrictEqual({ store: 'logs', idempotencyKey: 'evt-1', factId: original.id });
  });

  it('returns the original fact at its place in a batch and writes the rest', () => {
    const { store } = newStore();
    const original = store.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' });
    const facts = store.writeMany([
      { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' },
      { store: 'orders', key: 'o2', value: 2, expect: { absent: true } },
    ]);
    expect(facts[0]).toEqual(original);
    expect(facts[1]?.seq).toBe(2);
    expect(store.factCount()).toBe(2);
  });

  it('writes a key repeated inside one batch once and returns that fact for each repeat', () => {
    const { store } = newStore();
    const facts = store.writeMany([
      { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' },
      { store: 'orders', key: 'o2', value: 2 },
      { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' },
    ]);
    expect(facts[2]).toEqual(facts[0]);
    expect(facts.map((f) => f.seq)).toEqual([1, 2, 1]);
    expect(store.factCount()).toBe(2);
  });

  it('fails the whole batch when a key repeats inside it with another value', () => {
    const { store } = newStore();
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' },
        { store: 'orders', key: 'o1', value: 2, idempotencyKey: 'req-1' },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toMatchObject({ store: 'orders', idempotencyKey: 'req-1' });
    expect(store.factCount()).toBe(0);
  });

  it('fails the whole batch when a key of the store is reused with another value', () => {
    const { store } = newStore();
    const original = store.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' });
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o2', value: 2 },
        { store: 'orders', key: 'o1', value: 9, idempotencyKey: 'req-1' },
      ]),
    );
    expect(error.details).toStrictEqual({ store: 'orders', idempotencyKey: 'req-1', factId: original.id });
    expect(store.factCount()).toBe(1);
  });

  it('is remembered across a reopen from the backend', () => {
    const backend = new MemoryBackend();
    const first = newStore({ backend }).store;
    const original = first.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' });
    const reopened = newStore({ backend }).store;
    expect(reopened.write({ store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-1' })).toEqual(
      original,
    );
    expect(reopened.factCount()).toBe(1);
    expect(
      thrown(() => reopened.write({ store: 'orders', key: 'o1', value: 2, idempotencyKey: 'req-1' })).code,
    ).toBe('ERR_CONFLICT');
  });
});
