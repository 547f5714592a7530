import { valueHash } from '@igniter/core';
import { describe, expect, it } from 'vitest';
import { type FactInputPacket, Interpreter, type WritePacket } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

function fresh(): Interpreter {
  return new Interpreter(memoryStore());
}

describe(`Interpreter as a TypeScript API (${ENGINE} engine)`, () => {
  it('throws ERR_INVALID_ARGUMENT naming the field for a malformed packet', () => {
    const p = fresh();
    expect(() => p.write({ store: 'tasks', key: 7 } as unknown as WritePacket)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'key' } }),
    );
    expect(() => p.query({ store: 'tasks', limit: 20_000 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'limit', max: 10_000 } }),
    );
  });

  it('store.protocol<Interpreter>() is the one interpreter core caches, fully typed', () => {
    const store = memoryStore();
    const p = store.protocol<Interpreter>();
    expect(p.write({ store: 's', key: 'k', value: 1 }).status).toBe('accepted');
    expect(store.protocol()).toBe(p);
    expect(store.registerDescriptor({ kind: 'store', name: 's', key: 'id' })).toMatchObject({
      kind: 'store',
      status: 'accepted',
    });
    expect(p.descriptorSnapshot().stores.s).toEqual({ kind: 'store', name: 's', key: 'id' });
  });

  it('rejects a store that is not an IgniterStore and a bad alert threshold', () => {
    expect(() => new Interpreter({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new Interpreter(memoryStore(), { alertThresholds: { storageByteSize: -1 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('answers ERR_CLOSED on a closed store, never a receipt', async () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    await store.close();
    expect(() => p.register({ kind: 'store', name: 's', key: 'id' })).toThrow(
      expect.objectContaining({ code: 'ERR_CLOSED' }),
    );
    expect(() => p.write({ store: 's', key: 'k', value: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_CLOSED' }),
    );
    expect(() => p.replay()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });

  it('rejects descriptor content that is not JSON with ERR_INVALID_VALUE', () => {
    const receipt = fresh().register({ kind: 'store', name: 's', key: 'id', hook: () => 1 });
    expect(receipt).toMatchObject({
      status: 'rejected',
      kind: 'store',
      name: 's',
      error_code: 'ERR_INVALID_VALUE',
    });
  });

  it('a write receipt has exactly the API.md fields plus seq', () => {
    const receipt = fresh().write({ store: 'tasks', key: 't1', value: { a: 1 } });
    expect(receipt).toEqual({
      schema_version: 1,
      kind: 'receipt',
      status: 'accepted',
      store: 'tasks',
      key: 't1',
      fact_id: expect.any(String),
      value_hash: valueHash({ a: 1 }),
      seq: 1,
      warnings: [],
      errors: [],
      derived: [],
    });
  });

  it('a value the store refuses is a rejected receipt with its code', () => {
    const p = fresh();
    expect(p.write({ store: 'tasks', key: '', value: 1 })).toMatchObject({
      status: 'rejected',
      error_code: 'ERR_INVALID_ARGUMENT',
    });
    expect(p.write({ store: 'tasks', key: 'k', value: Number.NaN })).toMatchObject({
      status: 'rejected',
      error_code: 'ERR_INVALID_VALUE',
    });
    expect(p.append({ history: '__rel_x', event: {} })).toMatchObject({
      kind: 'append_receipt',
      status: 'rejected',
      store: '__rel_x',
      error_code: 'ERR_RESERVED_NAME',
    });
  });

  it('an idempotency key reused with another value is a conflict naming the first fact', () => {
    const p = fresh();
    const first = p.write({ store: 'pay', key: 'p1', value: 5, idempotency_key: 'k1' });
    const again = p.write({ store: 'pay', key: 'p1', value: 5, idempotency_key: 'k1' });
    expect(again).toMatchObject({ status: 'unchanged', fact_id: first.fact_id, seq: first.seq });
    expect(again.warnings).toEqual([
      'idempotent repeat: the fact committed earlier under this idempotency_key is returned',
    ]);
    const other = p.write({ store: 'pay', key: 'p1', value: 6, idempotency_key: 'k1' });
    expect(other).toMatchObject({
      status: 'conflict',
      error_code: 'ERR_CONFLICT',
      error_details: { store: 'pay', idempotency_key: 'k1', fact_id: first.fact_id },
    });
  });

  it('write_fact verifies a claimed value_hash and ignores server-assigned fields with a warning', () => {
    const p = fresh();
    const packet: FactInputPacket = {
      kind: 'fact',
      store: 'tasks',
      key: 't1',
      value: { a: 1 },
      id: 'forged',
      seq: 99,
    };
    const wrong = p.writeFact({ ...packet, value_hash: '0'.repeat(64) });
    expect(wrong).toMatchObject({
      status: 'rejected',
      error_code: 'ERR_INVALID_VALUE',
      error_details: { value_hash: valueHash({ a: 1 }) },
    });
    const right = p.writeFact({ ...packet, value_hash: valueHash({ a: 1 }) });
    expect(right).toMatchObject({ status: 'accepted', seq: 1 });
    expect(right.fact_id).not.toBe('forged');
    expect(right.warnings).toEqual(['ignored server-assigned fields: id, seq (the store assigns them)']);
  });

  it('write_fact answers a receipt for a packet that is not an object or has an unknown field', () => {
    const p = fresh();
    expect(p.writeFact(null as never)).toMatchObject({ status: 'rejected', error_code: 'ERR_BAD_REQUEST' });
    expect(
      p.writeFact({ kind: 'fact', store: 's', key: 'k', value: 1, colour: 'red' } as FactInputPacket),
    ).toMatchObject({
      status: 'rejected',
      errors: ['write_fact: unknown field: colour'],
    });
  });

  it('read distinguishes a stored null from a miss, and reads as of a time', () => {
    const p = fresh();
    const first = p.write({ store: 's', key: 'k', value: null });
    p.write({ store: 's', key: 'k', value: 2 });
    const [fact] = p.replay({ filter: { store: 's' }, limit: 1 }).facts;
    expect(first.fact_id).toBe(fact?.id);
    expect(p.read({ store: 's', key: 'k', as_of: fact?.transaction_time ?? 0 })).toEqual({
      value: null,
      found: true,
    });
    expect(p.read({ store: 's', key: 'k' })).toEqual({ value: 2, found: true });
  });

  it('describe lists every op, the nine kinds and the limits', () => {
    const d = fresh().describe();
    expect(d.ops).toEqual([
      'append',
      'causation_chain',
      'compaction_activity',
      'describe',
      'descriptor_snapshot',
      'fact_ref',
      'keys',
      'lineage',
      'metadata_snapshot',
      'observability_snapshot',
      'query',
      'read',
      'read_fact',
      'rebuild',
      'register_descriptor',
      'replay',
      'resolve',
      'resume_rule',
      'rule_status',
      'segment_manifest',
      'storage_stats',
      'stores',
      'sync_hub_profile',
      'write',
      'write_fact',
    ]);
    expect(d.limits.query).toEqual({ default: 100, max: 10_000 });
    expect(d.limits.keys).toEqual({ default: 1000, max: 10_000 });
    expect(d.descriptor_kinds).toHaveLength(9);
  });
});

describe(`query (${ENGINE} engine)`, () => {
  function seeded(): Interpreter {
    const p = fresh();
    const values: Array<[string, unknown]> = [
      ['k1', { rank: 'b' }],
      ['k2', { rank: 2 }],
      ['k3', { other: 1 }],
      ['k4', { rank: null }],
      ['k5', { rank: true }],
      ['k6', { rank: [1] }],
      ['k7', { rank: 10 }],
      ['k8', 'not an object'],
    ];
    for (const [key, value] of values) p.write({ store: 's', key, value: value as WritePacket['value'] });
    return p;
  }

  it('orders mixed types totally, missing fields last, without ever throwing', () => {
    const keys = (order: Parameters<Interpreter['query']>[0]['order']) =>
      seeded()
        .query({ store: 's', order })
        .items.map((i) => i.key);
    expect(keys('rank')).toEqual(['k4', 'k5', 'k2', 'k7', 'k1', 'k6', 'k3', 'k8']);
    expect(keys({ field: 'rank', direction: 'desc' })).toEqual([
      'k6',
      'k1',
      'k7',
      'k2',
      'k5',
      'k4',
      'k3',
      'k8',
    ]);
    expect(keys(undefined)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8']);
  });

  it('matches where by deep JSON equality; a missing field never equals null', () => {
    const p = seeded();
    expect(p.query({ store: 's', where: { rank: null } }).items.map((i) => i.key)).toEqual(['k4']);
    expect(p.query({ store: 's', where: { rank: [1] } }).items.map((i) => i.key)).toEqual(['k6']);
    expect(p.query({ store: 's', where: { rank: '2' } }).items).toEqual([]);
  });

  it('cuts at limit with has_more and counts what it returns', () => {
    const page = seeded().query({ store: 's', limit: 3 });
    expect([page.count, page.has_more, page.items.map((i) => i.key)]).toEqual([3, true, ['k1', 'k2', 'k3']]);
    expect(seeded().query({ store: 's', limit: 8 }).has_more).toBe(false);
    expect(seeded().query({ store: 's', limit: 0 })).toEqual({
      items: [],
      results: [],
      count: 0,
      has_more: true,
      next_cursor: null,
    });
  });

  it('answers the same through a filterless access path as by scanning, also as of a time', () => {
    const scanned = seeded();
    const t = scanned.replay({ filter: { store: 's' } }).facts[3]?.transaction_time ?? 0;
    const expected = [
      scanned.query({ store: 's', where: { rank: 2 } }),
      scanned.query({ store: 's', as_of: t }),
    ];
    scanned.register({ kind: 'access_path', name: 'all_s', store: 's', fields: [] });
    expect([
      scanned.query({ store: 's', where: { rank: 2 } }),
      scanned.query({ store: 's', as_of: t }),
    ]).toEqual(expected);
    expect(expected[1]?.items.map((i) => i.key)).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('reads the values standing at valid_at', () => {
    const p = fresh();
    p.write({ store: 'prices', key: 'x', value: { v: 1 }, valid_time: 100 });
    p.write({ store: 'prices', key: 'x', value: { v: 2 }, valid_time: 300 });
    expect(p.query({ store: 'prices', valid_at: 200 }).items).toEqual([{ key: 'x', value: { v: 1 } }]);
    expect(p.read({ store: 'prices', key: 'x', valid_at: 50 })).toEqual({ value: null, found: false });
  });
});

describe(`bounded lists (${ENGINE} engine)`, () => {
  it('causation_chain and lineage cut at limit; depth and proof_hash cover the whole chain', () => {
    const p = fresh();
    for (let v = 1; v <= 3; v++) p.write({ store: 's', key: 'k', value: v });
    const full = p.lineage({ store: 's', key: 'k' });
    const cut = p.lineage({ store: 's', key: 'k', limit: 2 });
    expect([cut.chain.length, cut.has_more, cut.depth, cut.proof_hash]).toEqual([
      2,
      true,
      3,
      full.proof_hash,
    ]);
    expect(cut.chain).toEqual(full.chain.slice(0, 2));
    const chain = p.causationChain({ store: 's', key: 'k', limit: 1 });
    expect([chain.count, chain.has_more, chain.chain[0]?.value_hash]).toEqual([
      1,
      true,
      valueHash(1).slice(0, 12),
    ]);
  });

  it('resolve cuts at limit and reads as of a time', () => {
    const p = fresh();
    p.register({
      kind: 'relation',
      name: 'members',
      from: { store: 'teams', key: 'id' },
      to: { store: 'people', field: 'team' },
    });
    p.write({ store: 'people', key: 'ann', value: { team: 'red' } });
    // The relation index fact follows its source fact: resolve as of the index write.
    const t = p.replay({ include_internal: true }).facts.at(-1)?.transaction_time ?? 0;
    p.write({ store: 'people', key: 'bob', value: { team: 'red' } });
    const ann = [{ key: 'ann', value: { team: 'red' } }];
    expect(p.resolve({ relation: 'members', from: 'red', limit: 1 })).toEqual({
      items: ann,
      results: ann,
      count: 1,
      has_more: true,
    });
    expect(p.resolve({ relation: 'members', from: 'red', as_of: t }).items.map((i) => i.key)).toEqual([
      'ann',
    ]);
    expect(p.resolve({ relation: 'members', from: null }).items).toEqual([]);
  });
});
