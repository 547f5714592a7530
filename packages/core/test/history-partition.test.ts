import { describe, expect, it } from 'vitest';
import type { Fact } from '../src/fact.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

const values = (facts: readonly Fact[]): unknown[] => facts.map((f) => f.value);

function trackerLogs() {
  const made = newStore();
  const { store } = made;
  store.append({ history: 'logs', event: { trackerId: 'sleep', value: 8 }, partitionKey: 'trackerId' });
  store.append({ history: 'logs', event: { trackerId: 'mood', value: 7 }, partitionKey: 'trackerId' });
  store.append({ history: 'logs', event: { trackerId: 'sleep', value: 7.5 }, partitionKey: 'trackerId' });
  return made;
}

describe(`historyPartition (${ENGINE_KIND} engine)`, () => {
  it('returns the facts of the store whose partition field equals the value, in seq order', () => {
    const { store } = trackerLogs();
    const sleep = store.historyPartition({
      store: 'logs',
      partitionKey: 'trackerId',
      partitionValue: 'sleep',
    });
    expect(sleep.map((f) => (f.value as { value: number }).value)).toEqual([8, 7.5]);
    expect(sleep[0]?.seq).toBeLessThan(sleep[1]?.seq ?? 0);
  });

  it('returns an empty list for a partition value nobody has', () => {
    const { store } = trackerLogs();
    expect(
      store.historyPartition({ store: 'logs', partitionKey: 'trackerId', partitionValue: 'steps' }),
    ).toEqual([]);
    expect(
      store.historyPartition({ store: 'nowhere', partitionKey: 'trackerId', partitionValue: 'sleep' }),
    ).toEqual([]);
  });

  it('returns the same facts on repeated calls', () => {
    const { store } = trackerLogs();
    const first = store.historyPartition({
      store: 'logs',
      partitionKey: 'trackerId',
      partitionValue: 'sleep',
    });
    const second = store.historyPartition({
      store: 'logs',
      partitionKey: 'trackerId',
      partitionValue: 'sleep',
    });
    expect(second.map((f) => f.id)).toEqual(first.map((f) => f.id));
  });

  it('sees appends made after the partition was first read', () => {
    const { store } = newStore();
    expect(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })).toEqual([]);
    store.append({ history: 'logs', event: { tid: 'a', n: 1 }, partitionKey: 'tid' });
    store.append({ history: 'logs', event: { tid: 'a', n: 2 }, partitionKey: 'tid' });
    expect(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })).toHaveLength(
      2,
    );
  });

  it('includes appends made without partitionKey', () => {
    const { store } = newStore();
    store.append({ history: 'logs', event: { tid: 'a', n: 1 }, partitionKey: 'tid' });
    expect(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })).toHaveLength(
      1,
    );
    store.append({ history: 'logs', event: { tid: 'a', n: 2 } });
    expect(
      values(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })),
    ).toEqual([
      { tid: 'a', n: 1 },
      { tid: 'a', n: 2 },
    ]);
  });

  it('includes facts written with write after the partition was read (§11 item 14)', () => {
    const { store } = newStore();
    store.append({ history: 'logs', event: { tid: 'a', n: 1 }, partitionKey: 'tid' });
    expect(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })).toHaveLength(
      1,
    );
    const written = store.write({ store: 'logs', key: 'x', value: { tid: 'a', n: 2 } });
    const partition = store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' });
    expect(partition.map((f) => f.id)).toContain(written.id);
    expect(partition).toHaveLength(2);
    expect(store.history({ store: 'logs' })).toHaveLength(2);
  });

  it('includes facts written before the partition was first read', () => {
    const { store } = newStore();
    store.write({ store: 'logs', key: 'x', value: { tid: 'a' } });
    store.write({ store: 'logs', key: 'y', value: { tid: 'b' } });
    expect(
      values(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })),
    ).toEqual([{ tid: 'a' }]);
  });

  it('includes every fact of a key, older versions too', () => {
    const { store } = newStore();
    store.write({ store: 'logs', key: 'x', value: { tid: 'a', v: 1 } });
    store.write({ store: 'logs', key: 'x', value: { tid: 'b', v: 2 } });
    store.write({ store: 'logs', key: 'x', value: { tid: 'a', v: 3 } });
    expect(
      values(store.historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a' })),
    ).toEqual([
      { tid: 'a', v: 1 },
      { tid: 'a', v: 3 },
    ]);
  });

  it('matches partition values strictly: 1 and "1" differ, objects by canonical equality', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'n', value: { p: 1 } });
    store.write({ store: 's', key: 's', value: { p: '1' } });
    store.write({ store: 's', key: 'o', value: { p: { b: 2, a: 1 } } });
    store.write({ store: 's', key: 'z', value: { p: null } });
    store.write({ store: 's', key: 'm', value: { q: 1 } });
    const keys = (partitionValue: Parameters<typeof store.historyPartition>[0]['partitionValue']): string[] =>
      store.historyPartition({ store: 's', partitionKey: 'p', partitionValue }).map((f) => f.key);
    expect(keys(1)).toEqual(['n']);
    expect(keys('1')).toEqual(['s']);
    expect(keys({ a: 1, b: 2 })).toEqual(['o']);
    expect(keys(null)).toEqual(['z']);
  });

  it('ignores values that are not objects', () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'a', value: 'tid' });
    store.write({ store: 's', key: 'b', value: ['a'] });
    expect(store.historyPartition({ store: 's', partitionKey: 'tid', partitionValue: 'a' })).toEqual([]);
  });

  it('keeps partitions of different stores apart', () => {
    const { store } = newStore();
    store.append({ history: 'a', event: { tid: 'x' }, partitionKey: 'tid' });
    store.append({ history: 'b', event: { tid: 'x' }, partitionKey: 'tid' });
    expect(store.historyPartition({ store: 'a', partitionKey: 'tid', partitionValue: 'x' })).toHaveLength(1);
  });

  it('filters by inclusive since and asOf bounds', () => {
    const { store, time } = newStore();
    time.set(1_000);
    store.append({ history: 'logs', event: { tid: 'a', n: 1 }, partitionKey: 'tid' });
    time.set(2_000);
    store.append({ history: 'logs', event: { tid: 'a', n: 2 }, partitionKey: 'tid' });
    const ns = (bounds: { since?: number; asOf?: number }): unknown[] =>
      store
        .historyPartition({ store: 'logs', partitionKey: 'tid', partitionValue: 'a', ...bounds })
        .map((f) => (f.value as { n: number }).n);
    expect(ns({ since: 2_000 })).toEqual([2]);
    expect(ns({ asOf: 1_000 })).toEqual([1]);
    expect(ns({ since: 1_500 })).toEqual([2]);
    expect(ns({ asOf: 1_999 })).toEqual([1]);
  });

  it('rejects a missing partition value with ERR_INVALID_ARGUMENT', () => {
    const { store } = newStore();
    const input = { store: 's', partitionKey: 'p' } as Parameters<typeof store.historyPartition>[0];
    expect(thrown(() => store.historyPartition(input)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects an empty partition key with ERR_INVALID_ARGUMENT', () => {
    const { store } = newStore();
    expect(
      thrown(() => store.historyPartition({ store: 's', partitionKey: '', partitionValue: 'a' })).code,
    ).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => store.append({ history: 's', event: {}, partitionKey: '' })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});
