import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { ENGINE, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();
const _temp = useTempDir('igniter-pg-store-');

describe(`a store kept in PostgreSQL (${ENGINE} engine)`, () => {
  it('reopens with every fact: values, history, time travel and causation intact', async () => {
    let now = 1_000;
    const clock = () => (now += 10);
    const store = await pg.writer({ clock });
    const first = store.write({ store: 'tasks', key: 't1', value: { title: 'draft', tags: ['a'] } });
    const second = store.write({ store: 'tasks', key: 't1', value: { title: 'final' }, validTime: 5 });
    store.append({ history: 'events', event: { kind: 'created' } });
    await store.close();
    const again = await pg.writer({ clock });
    expect(again.read({ store: 'tasks', key: 't1' })).toEqual({ title: 'final' });
    expect(again.read({ store: 'tasks', key: 't1', asOf: first.transactionTime })).toEqual({
      title: 'draft',
      tags: ['a'],
    });
    expect(again.read({ store: 'tasks', key: 't1', validAt: 5 })).toEqual({ title: 'final' });
    expect(
      again.history({ store: 'tasks', key: 't1' }).map((f) => [f.id, f.seq, f.valueHash, f.causation]),
    ).toEqual([
      [first.id, 1, first.valueHash, null],
      [second.id, 2, second.valueHash, first.id],
    ]);
    expect(again.factCount()).toBe(3);
    expect(again.write({ store: 'tasks', key: 't2', value: 1 }).seq).toBe(4);
  });

  it('an idempotency key survives a reopen', async () => {
    const store = await pg.writer();
    const original = store.write({ store: 'orders', key: 'o1', value: { n: 1 }, idempotencyKey: 'req-1' });
    await store.close();
    const again = await pg.writer();
    expect(again.write({ store: 'orders', key: 'o1', value: { n: 1 }, idempotencyKey: 'req-1' }).id).toBe(
      original.id,
    );
  });

  it('compaction drops facts durably, with a receipt, and seq is never reused', async () => {
    const store = await pg.writer();
    store.setRetention('temp', { strategy: 'ephemeral' });
    for (let n = 1; n <= 3; n++) store.write({ store: 'temp', key: 'a', value: n });
    expect(store.compact('temp')).toMatchObject([{ store: 'temp', droppedCount: 2 }]);
    await store.close();
    const again = await pg.writer();
    expect(again.history({ store: 'temp', key: 'a' }).map((f) => f.value)).toEqual([3]);
    expect(again.compactionReceipts({ store: 'temp' })).toHaveLength(1);
    expect(again.write({ store: 'temp', key: 'b', value: 0 }).seq).toBe(5);
  });

  it('after a reopen, a prune and a compaction remove exactly their facts', async () => {
    const store = await pg.writer();
    store.setRetention('temp', { strategy: 'ephemeral' });
    const secret = store.write({ store: 'people', key: 'p1', value: { name: 'secret' } });
    const kept = store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
    for (let n = 1; n <= 3; n++) store.write({ store: 'temp', key: 'a', value: n });
    await store.close();
    const again = await pg.writer();
    again.setRetention('temp', { strategy: 'ephemeral' });
    expect(again.pruneFactIds({ factIds: [secret.id], reason: 'erasure' })).toMatchObject({ prunedCount: 1 });
    expect(again.compact('temp')).toMatchObject([{ droppedCount: 2 }]);
    await again.close();
    const third = await pg.writer();
    expect(third.factById(secret.id)).toBeUndefined();
    expect(third.factById(kept.id)?.value).toEqual({ name: 'kept' });
    expect(third.history({ store: 'temp', key: 'a' }).map((f) => f.value)).toEqual([3]);
    expect(await third.verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('verify reports a row whose value no longer matches its hash', async () => {
    const store = await pg.writer();
    const fact = store.write({ store: 'tasks', key: 't1', value: { n: 1 } });
    await store.flush();
    const sql = await pg.sql();
    await sql.query(`UPDATE "${pg.schema()}".igniter_facts SET value = '{"n":2}' WHERE seq = 1`);
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toMatchObject([{ kind: 'hash', factId: fact.id }]);
  });

  it('storage stats count facts per store and report the tables on disk', async () => {
    const store = await pg.writer();
    store.write({ store: 'a', key: 'k', value: 'x' });
    store.write({ store: 'b', key: 'k', value: 'y' });
    store.write({ store: 'a', key: 'j', value: 'z' });
    await store.close();
    const again = await pg.writer();
    const stats = again.storageStats();
    expect(stats).toMatchObject({ backend: 'postgres', factCount: 3, recoveredTailBytes: 0 });
    expect(stats?.stores.a?.factCount).toBe(2);
    expect(stats?.stores.b?.factCount).toBe(1);
    expect(stats?.byteSize).toBeGreaterThan(0);
  });
});
