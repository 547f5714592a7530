import { describe, expect, it } from 'vitest';
import type { Fact } from '../src/fact.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

const keysOf = (facts: readonly Fact[]): string[] => facts.map((f) => f.key);

describe(`readFact (${ENGINE_KIND} engine)`, () => {
  it('returns the latest fact of a key, whose seq a conditional write expects', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    const second = store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    const fact = store.readFact({ store: 'tasks', key: 't1' });
    expect(fact).toEqual(second);
    const third = store.write({
      store: 'tasks',
      key: 't1',
      value: { status: 'archived' },
      expect: { seq: (fact as Fact).seq },
    });
    expect(third.seq).toBe(3);
  });

  it('returns the fact as of a transaction time and the one standing at a valid time', () => {
    const { store, time } = newStore();
    const first = store.write({ store: 's', key: 'k', value: 1, validTime: 100 });
    time.advance(10);
    store.write({ store: 's', key: 'k', value: 2, validTime: 50 });
    expect(store.readFact({ store: 's', key: 'k', asOf: first.transactionTime })).toEqual(first);
    expect(store.readFact({ store: 's', key: 'k', validAt: 200 })).toEqual(first);
    expect(store.readFact({ store: 's', key: 'k', validAt: 60 })?.value).toBe(2);
    expect(store.readFact({ store: 's', key: 'k', validAt: 10 })).toBeUndefined();
  });

  it('is undefined for a key without facts', () => {
    const { store } = newStore();
    expect(store.readFact({ store: 's', key: 'missing' })).toBeUndefined();
  });

  it('returns the coerced value with the raw valueHash', () => {
    const { store } = newStore();
    const raw = store.write({ store: 's', key: 'k', value: { n: 1 } });
    store.registerCoercion('s', (value) => ({ ...(value as { n: number }), coerced: true }));
    const fact = store.readFact({ store: 's', key: 'k' });
    expect(fact?.value).toEqual({ n: 1, coerced: true });
    expect(fact?.valueHash).toBe(raw.valueHash);
    expect(fact?.seq).toBe(raw.seq);
  });

  it('rejects a bad key with ERR_INVALID_ARGUMENT', () => {
    const { store } = newStore();
    expect(thrown(() => store.readFact({ store: 's', key: '' })).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe(`lastSeq (${ENGINE_KIND} engine)`, () => {
  it('is 0 for an empty store and the highest committed seq afterwards, also after a prune', () => {
    const { store } = newStore();
    expect(store.lastSeq()).toBe(0);
    const a = store.write({ store: 's', key: 'a', value: 1 });
    store.write({ store: 's', key: 'b', value: 2 });
    expect(store.lastSeq()).toBe(2);
    store.pruneFactIds({ factIds: [a.id], reason: 'test' });
    // The prune's receipt is fact 3; the pruned seq 1 is never reused.
    expect(store.lastSeq()).toBe(3);
  });
});

describe(`keys (${ENGINE_KIND} engine)`, () => {
  function filled() {
    const made = newStore();
    for (const key of ['b', 'a/2', 'a/1', 'c', 'a/10', '\u{1F600}', '\uFF5E']) {
      made.store.write({ store: 's', key, value: 1 });
    }
    made.store.write({ store: 's', key: 'a/1', value: 2 });
    made.store.write({ store: 'other', key: 'z', value: 1 });
    return made;
  }

  it('lists the keys of a store once each in UTF-16 code unit order', () => {
    const { store } = filled();
    expect(store.keys({ store: 's' })).toEqual(['a/1', 'a/10', 'a/2', 'b', 'c', '\u{1F600}', '\uFF5E']);
  });

  it('filters by prefix, pages with an exclusive cursor and a limit', () => {
    const { store } = filled();
    expect(store.keys({ store: 's', prefix: 'a/' })).toEqual(['a/1', 'a/10', 'a/2']);
    expect(store.keys({ store: 's', prefix: 'a/', limit: 2 })).toEqual(['a/1', 'a/10']);
    expect(store.keys({ store: 's', prefix: 'a/', after: 'a/10' })).toEqual(['a/2']);
    expect(store.keys({ store: 's', after: 'a/2', limit: 2 })).toEqual(['b', 'c']);
    expect(store.keys({ store: 's', after: 'zzz' })).toEqual(['\u{1F600}', '\uFF5E']);
    expect(store.keys({ store: 's', prefix: 'x' })).toEqual([]);
  });

  it('sees a new key and forgets a key whose facts were all pruned', () => {
    const { store } = filled();
    store.write({ store: 's', key: 'a/0', value: 1 });
    expect(store.keys({ store: 's', prefix: 'a/' })).toEqual(['a/0', 'a/1', 'a/10', 'a/2']);
    const b = store.history({ store: 's', key: 'b' }).map((f) => f.id);
    store.pruneFactIds({ factIds: b, reason: 'test' });
    store.write({ store: 's', key: 'd', value: 1 });
    expect(store.keys({ store: 's', after: 'a/2', limit: 3 })).toEqual(['c', 'd', '\u{1F600}']);
  });

  it('is empty for an unknown store', () => {
    const { store } = newStore();
    expect(store.keys({ store: 'nothing' })).toEqual([]);
  });

  it('rejects a limit that is not an integer >= 1 and a cursor that is not a string', () => {
    const { store } = filled();
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(thrown(() => store.keys({ store: 's', limit })).code).toBe('ERR_INVALID_ARGUMENT');
    }
    const badCursor = { store: 's', after: 5 } as unknown as { store: string; after: string };
    expect(thrown(() => store.keys(badCursor)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe(`stores (${ENGINE_KIND} engine)`, () => {
  it('lists user stores in UTF-16 order with their live fact and key counts, internal stores left out', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't1', value: 2 });
    store.write({ store: 'tasks', key: 't2', value: 1 });
    const event = store.append({ history: 'events', event: { kind: 'x' } });
    store.pruneFactIds({ factIds: [event.id], reason: 'test' });
    store.write({ store: 'Users', key: 'u', value: 1 });
    expect(store.stores()).toEqual([
      { store: 'Users', factCount: 1, keyCount: 1 },
      { store: 'tasks', factCount: 3, keyCount: 2 },
    ]);
  });
});

describe(`query without a registered path (${ENGINE_KIND} engine)`, () => {
  function people() {
    const made = newStore();
    made.store.write({ store: 'people', key: 'carol', value: { team: 'red', age: 40 } });
    made.store.write({ store: 'people', key: 'alice', value: { team: 'red', age: 30 } });
    made.store.write({ store: 'people', key: 'bob', value: { team: 'blue', age: 30 } });
    made.store.write({ store: 'people', key: 'dave', value: 'not an object' });
    return made;
  }

  it('returns the latest fact of every key, keys in UTF-16 order', () => {
    const { store } = people();
    expect(keysOf(store.query({ store: 'people' }))).toEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('keeps the keys whose latest value matches where by field equality', () => {
    const { store } = people();
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' } }))).toEqual(['alice', 'carol']);
    expect(keysOf(store.query({ store: 'people', where: { age: 30, team: 'blue' } }))).toEqual(['bob']);
    expect(keysOf(store.query({ store: 'people', where: { age: '30' } }))).toEqual([]);
    store.write({ store: 'people', key: 'alice', value: { team: 'blue', age: 31 } });
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' } }))).toEqual(['carol']);
  });

  it('pages with an exclusive key cursor and a limit', () => {
    const { store } = people();
    expect(keysOf(store.query({ store: 'people', limit: 2 }))).toEqual(['alice', 'bob']);
    expect(keysOf(store.query({ store: 'people', after: 'bob', limit: 2 }))).toEqual(['carol', 'dave']);
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' }, after: 'alice' }))).toEqual([
      'carol',
    ]);
    expect(keysOf(store.query({ store: 'people', after: 'dave' }))).toEqual([]);
  });

  it('answers as of a past transaction time', () => {
    const { store, time } = people();
    const asOf = store.readFact({ store: 'people', key: 'dave' })?.transactionTime as number;
    time.advance(10);
    store.write({ store: 'people', key: 'bob', value: { team: 'red', age: 30 } });
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' } }))).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' }, asOf }))).toEqual([
      'alice',
      'carol',
    ]);
  });

  it('uses a registered path with the same filters as an index, with the same answers', () => {
    const { store } = people();
    const seen: string[] = [];
    store.registerPath({
      store: 'people',
      scope: 'reds',
      filters: { team: 'red' },
      consumers: [(event) => seen.push(event.key)],
    });
    expect(keysOf(store.query({ store: 'people', where: { team: 'red' } }))).toEqual(['alice', 'carol']);
    store.write({ store: 'people', key: 'erin', value: { team: 'red' } });
    expect(
      keysOf(store.query({ store: 'people', where: { team: 'red' }, limit: 2, after: 'alice' })),
    ).toEqual(['carol', 'erin']);
    expect(seen).toEqual(['erin']);
  });

  it('narrows a registered scope by where and pages it', () => {
    const { store } = people();
    store.registerPath({ store: 'people', scope: 'thirty', filters: { age: 30 } });
    expect(keysOf(store.query({ store: 'people', scope: 'thirty' }))).toEqual(['alice', 'bob']);
    expect(keysOf(store.query({ store: 'people', scope: 'thirty', where: { team: 'red' } }))).toEqual([
      'alice',
    ]);
    expect(keysOf(store.query({ store: 'people', scope: 'thirty', after: 'alice' }))).toEqual(['bob']);
  });

  it('rejects where that is not an object and a bad limit', () => {
    const { store } = people();
    const badWhere = { store: 'people', where: 'red' } as unknown as { store: string };
    expect(thrown(() => store.query(badWhere)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.query({ store: 'people', limit: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
