import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

const ORIGINAL = {
  store: 'orders',
  key: 'o1',
  value: { total: 5 },
  validTime: 1_000,
  schemaVersion: 2,
  producer: { kind: 'api', user: 'ann' },
  derivation: { from: 'cart' },
  idempotencyKey: 'req-1',
};

describe(`idempotencyKey: a repeat must ask for the same thing (${ENGINE_KIND} engine)`, () => {
  it('returns the original fact for an exact repeat (metadata objects compared canonically)', () => {
    const { store } = newStore();
    const original = store.write(ORIGINAL);
    const repeat = store.write({
      ...ORIGINAL,
      value: { total: 5 },
      producer: { user: 'ann', kind: 'api' },
      derivation: { from: 'cart' },
    });
    expect(repeat).toEqual(original);
    expect(store.lastSeq()).toBe(1);
  });

  for (const [field, change] of [
    ['key', { key: 'o2' }],
    ['value', { value: { total: 6 } }],
    ['validTime', { validTime: 2_000 }],
    ['validTime', { validTime: undefined }],
    ['schemaVersion', { schemaVersion: 3 }],
    ['producer', { producer: { kind: 'api', user: 'bob' } }],
    ['producer', { producer: undefined }],
    ['derivation', { derivation: { from: 'checkout' } }],
  ] as const) {
    it(`refuses a repeat with another ${field} (${JSON.stringify(change)}) with ERR_CONFLICT, writing nothing`, () => {
      const { store } = newStore();
      const original = store.write(ORIGINAL);
      const error = thrown(() => store.write({ ...ORIGINAL, ...change }));
      expect(error.code).toBe('ERR_CONFLICT');
      expect(error.details).toStrictEqual({ store: 'orders', idempotencyKey: 'req-1', factId: original.id });
      expect(error.message).toContain(`a different ${field}`);
      expect(store.lastSeq()).toBe(1);
      expect(store.read({ store: 'orders', key: 'o2' })).toBeUndefined();
    });
  }

  it('refuses in writeMany a repeat of a stored request that asks for another key; nothing of the batch is written', () => {
    const { store } = newStore();
    const original = store.write(ORIGINAL);
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o9', value: 1 },
        { ...ORIGINAL, key: 'o2' },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({ store: 'orders', idempotencyKey: 'req-1', factId: original.id });
    expect(store.lastSeq()).toBe(1);
  });

  it('refuses two items of one batch that share a key but ask for different things (factId null)', () => {
    const { store } = newStore();
    const error = thrown(() =>
      store.writeMany([
        { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-2' },
        { store: 'orders', key: 'o1', value: 1, idempotencyKey: 'req-2', validTime: 5 },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(error.details).toStrictEqual({ store: 'orders', idempotencyKey: 'req-2', factId: null });
    expect(error.message).toContain('a different validTime');
    expect(store.lastSeq()).toBe(0);
  });

  it('an append repeat must carry the same event, validTime and producer (its key is minted, so not compared)', () => {
    const { store } = newStore();
    const original = store.append({
      history: 'logs',
      event: { n: 1 },
      producer: { by: 'a' },
      idempotencyKey: 'e1',
    });
    expect(
      store.append({ history: 'logs', event: { n: 1 }, producer: { by: 'a' }, idempotencyKey: 'e1' }),
    ).toEqual(original);
    for (const change of [{ producer: { by: 'b' } }, { validTime: 7 }]) {
      const error = thrown(() =>
        store.append({
          history: 'logs',
          event: { n: 1 },
          producer: { by: 'a' },
          idempotencyKey: 'e1',
          ...change,
        }),
      );
      expect(error.code).toBe('ERR_CONFLICT');
      expect(error.details).toStrictEqual({ store: 'logs', idempotencyKey: 'e1', factId: original.id });
    }
    expect(store.lastSeq()).toBe(1);
  });
});
