import { valueHash } from '@igniter/core';
import { describe, expect, it } from 'vitest';
import { dispatch, Interpreter } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

describe(`read_fact (${ENGINE} engine)`, () => {
  it('answers the coerced value with the raw value hash, as store.readFact does', () => {
    const store = memoryStore();
    store.registerCoercion('prices', (value) => ({ cents: (value as { euros: number }).euros * 100 }));
    store.write({ store: 'prices', key: 'p1', value: { euros: 2 } });
    const { fact } = new Interpreter(store).readFact({ store: 'prices', key: 'p1' });
    expect([fact?.value, fact?.value_hash]).toEqual([{ cents: 200 }, valueHash({ euros: 2 })]);
  });

  it('reads as of a transaction time and at a valid time', () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    const first = store.write({ store: 'prices', key: 'x', value: 1, validTime: 100 });
    store.write({ store: 'prices', key: 'x', value: 2, validTime: 300 });
    expect(p.readFact({ store: 'prices', key: 'x', as_of: first.transactionTime }).fact?.seq).toBe(first.seq);
    expect(p.readFact({ store: 'prices', key: 'x', valid_at: 200 }).fact?.value).toBe(1);
    expect(p.readFact({ store: 'prices', key: 'x', valid_at: 50 })).toEqual({ found: false, fact: null });
  });

  it('refuses a fractional as_of with ERR_INVALID_ARGUMENT', async () => {
    const response = await dispatch(memoryStore(), {
      ...ENVELOPE,
      op: 'read_fact',
      packet: { store: 'prices', key: 'x', as_of: 1.5 },
    });
    expect(response).toMatchObject({ status: 'error', error_code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe(`keys and stores (${ENGINE} engine)`, () => {
  it('keys leaves out keys whose facts were all pruned', () => {
    const store = memoryStore();
    const gone = store.write({ store: 'tasks', key: 'gone', value: 1 });
    store.write({ store: 'tasks', key: 'kept', value: 1 });
    store.pruneFactIds({ factIds: [gone.id], reason: 'spec' });
    expect(new Interpreter(store).keys({ store: 'tasks' }).keys).toEqual(['kept']);
  });

  it('keys of an unknown store is an empty page', () => {
    expect(new Interpreter(memoryStore()).keys({ store: 'nothing' })).toEqual({
      keys: [],
      count: 0,
      has_more: false,
      next_cursor: null,
    });
  });

  it('stores of an empty store is an empty list', () => {
    expect(new Interpreter(memoryStore()).stores()).toEqual({
      stores: [],
      count: 0,
      has_more: false,
      next_cursor: null,
    });
  });

  it('keys and stores refuse a limit over 10 000 and an unknown field', async () => {
    const store = memoryStore();
    const send = (op: string, packet: unknown) => dispatch(store, { ...ENVELOPE, op, packet });
    expect(await send('keys', { store: 'tasks', limit: 10_001 })).toMatchObject({
      error_code: 'ERR_INVALID_ARGUMENT',
    });
    expect(await send('stores', { limit: 10_001 })).toMatchObject({ error_code: 'ERR_INVALID_ARGUMENT' });
    expect(await send('keys', { store: 'tasks', from: 'a' })).toMatchObject({
      error_code: 'ERR_BAD_REQUEST',
    });
    expect(await send('stores', { prefix: 'a' })).toMatchObject({ error_code: 'ERR_BAD_REQUEST' });
  });
});

describe(`query pages without registration (${ENGINE} engine)`, () => {
  it('pages through every matching key with next_cursor, each key once', () => {
    const p = new Interpreter(memoryStore());
    for (let i = 0; i < 25; i++) {
      p.write({ store: 's', key: `k${String(i).padStart(2, '0')}`, value: { even: i % 2 === 0 } });
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = p.query({ store: 's', where: { even: true }, limit: 4, ...(after ? { after } : {}) });
      seen.push(...page.items.map((i) => i.key));
      if (!page.has_more) break;
      after = page.next_cursor ?? undefined;
    }
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => `k${String(i * 2).padStart(2, '0')}`));
  });

  it('answers the same through an access path with the same filters as without one', () => {
    const p = new Interpreter(memoryStore());
    for (const [key, status] of [
      ['a', 'open'],
      ['b', 'done'],
      ['c', 'open'],
    ] as const) {
      p.write({ store: 's', key, value: { status } });
    }
    const scanned = p.query({ store: 's', where: { status: 'open' }, limit: 1 });
    p.register({ kind: 'access_path', name: 'open', store: 's', fields: [], filters: { status: 'open' } });
    expect(p.query({ store: 's', where: { status: 'open' }, limit: 1 })).toEqual(scanned);
    expect(scanned.next_cursor).toBe('a');
  });
});
