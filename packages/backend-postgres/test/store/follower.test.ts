import type { ChangeSink, CommitKind, Fact } from '@igniter/core';
import { describe, expect, it } from 'vitest';
import { codeOf, ENGINE, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();

/** A changefeed sink that records what the store publishes. */
function recordingFeed(): ChangeSink & { events: Array<{ seq: number; kind: CommitKind; id: string }> } {
  const events: Array<{ seq: number; kind: CommitKind; id: string }> = [];
  return {
    events,
    publish: (fact: Fact, kind: CommitKind) => events.push({ seq: fact.seq, kind, id: fact.id }),
    attach: () => undefined,
  };
}

describe(`a PostgreSQL follower (${ENGINE} engine)`, () => {
  it('reads every fact the writer committed, with the same ids, seqs and hashes, after waitForSeq', async () => {
    const writer = await pg.writer();
    const follower = await pg.follower();
    const written = [1, 2, 3].map((n) => writer.write({ store: 'tasks', key: `t${n}`, value: { n } }));
    await writer.flush();
    await follower.waitForSeq(3, { timeoutMs: 10_000 });
    expect(follower.factLogAll().map((f) => [f.seq, f.id, f.valueHash])).toEqual(
      written.map((f) => [f.seq, f.id, f.valueHash]),
    );
    expect(follower.read({ store: 'tasks', key: 't2' })).toEqual({ n: 2 });
  });

  it('starts with the facts committed before it opened', async () => {
    const writer = await pg.writer();
    writer.write({ store: 'tasks', key: 'a', value: 1 });
    await writer.flush();
    const follower = await pg.follower();
    expect(follower.read({ store: 'tasks', key: 'a' })).toBe(1);
    expect(follower.role).toBe('follower');
    expect(writer.role).toBe('writer');
  });

  it('refuses every write with ERR_READ_ONLY and changes nothing', async () => {
    await pg.writer();
    const follower = await pg.follower();
    expect(await codeOf(() => follower.write({ store: 'tasks', key: 'a', value: 1 }))).toBe('ERR_READ_ONLY');
    expect(await codeOf(() => follower.writeMany([{ store: 'tasks', key: 'a', value: 1 }]))).toBe(
      'ERR_READ_ONLY',
    );
    expect(await codeOf(() => follower.append({ history: 'events', event: { a: 1 } }))).toBe('ERR_READ_ONLY');
    expect(await codeOf(() => follower.compact())).toBe('ERR_READ_ONLY');
    expect(await codeOf(() => follower.pruneFactIds({ factIds: ['x'], reason: 'test' }))).toBe(
      'ERR_READ_ONLY',
    );
    expect(await codeOf(() => follower.checkpoint())).toBe('ERR_READ_ONLY');
    expect(follower.factCount()).toBe(0);
  });

  it('calls consumers and keeps scopes current as facts arrive', async () => {
    const writer = await pg.writer();
    const follower = await pg.follower();
    const seen: string[] = [];
    follower.registerPath({
      store: 'tasks',
      scope: 'open',
      filters: { done: false },
      consumers: [(e) => seen.push(e.key)],
    });
    writer.write({ store: 'tasks', key: 'a', value: { done: false } });
    writer.write({ store: 'tasks', key: 'b', value: { done: false } });
    const last = writer.write({ store: 'tasks', key: 'a', value: { done: true } });
    await writer.flush();
    await follower.waitForSeq(last.seq, { timeoutMs: 10_000 });
    expect(follower.query({ store: 'tasks', scope: 'open' }).map((f) => f.key)).toEqual(['b']);
    expect(seen).toEqual(['a', 'b', 'a']);
  });

  it('emits its changefeed in seq order, each fact exactly once', async () => {
    const writer = await pg.writer();
    const feed = recordingFeed();
    const follower = await pg.follower({ changefeed: feed });
    const facts = [];
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 20; i++)
        facts.push(writer.write({ store: 's', key: `k${i}`, value: { batch, i } }));
      await writer.flush();
    }
    await follower.waitForSeq(100, { timeoutMs: 10_000 });
    expect(feed.events.map((e) => e.id)).toEqual(facts.map((f) => f.id));
    expect(feed.events.map((e) => e.seq)).toEqual(facts.map((_, i) => i + 1));
  });

  it('does not run derivations: the derived facts arrive from the writer', async () => {
    const rule = (facts: readonly Fact[]) => ({ count: facts.length });
    const writer = await pg.writer();
    writer.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'open', rule });
    const follower = await pg.follower();
    follower.registerDerivation({ sourceStore: 'tasks', targetStore: 'stats', targetKey: 'open', rule });
    writer.write({ store: 'tasks', key: 'a', value: {} });
    writer.write({ store: 'tasks', key: 'b', value: {} });
    await writer.flush();
    await follower.waitForSeq(writer.factLogAll().at(-1)?.seq ?? 0, { timeoutMs: 10_000 });
    expect(follower.history({ store: 'stats', key: 'open' }).map((f) => f.value)).toEqual([
      { count: 1 },
      { count: 2 },
    ]);
    expect(follower.factLogAll().map((f) => f.id)).toEqual(writer.factLogAll().map((f) => f.id));
  });

  it('drops the facts the writer compacted or pruned away', async () => {
    const writer = await pg.writer();
    const follower = await pg.follower();
    writer.setRetention('temp', { strategy: 'ephemeral' });
    writer.write({ store: 'temp', key: 'a', value: 1 });
    writer.write({ store: 'temp', key: 'a', value: 2 });
    const secret = writer.write({ store: 'people', key: 'p', value: { name: 'secret' } });
    writer.compact('temp');
    writer.pruneFactIds({ factIds: [secret.id], reason: 'erasure' });
    await writer.flush();
    await follower.waitForSeq(writer.factLogAll().at(-1)?.seq ?? 0, { timeoutMs: 10_000 });
    expect(follower.history({ store: 'temp', key: 'a' }).map((f) => f.value)).toEqual([2]);
    expect(follower.factById(secret.id)).toBeUndefined();
    expect(follower.factLogAll().map((f) => f.id)).toEqual(writer.factLogAll().map((f) => f.id));
    expect(follower.compactionReceipts({ store: 'temp' })).toHaveLength(1);
  });

  it('keeps relations current: resolve answers from the index facts the writer derived', async () => {
    const relation = { source: 'orders', partition: 'customer', target: 'customers' };
    const writer = await pg.writer();
    writer.registerRelation('orders_of', relation);
    const follower = await pg.follower();
    follower.registerRelation('orders_of', relation);
    writer.write({ store: 'orders', key: 'o1', value: { customer: 'c1', total: 5 } });
    writer.write({ store: 'orders', key: 'o2', value: { customer: 'c1', total: 7 } });
    writer.write({ store: 'orders', key: 'o3', value: { customer: 'c2', total: 1 } });
    await writer.flush();
    await follower.waitForSeq(writer.factLogAll().at(-1)?.seq ?? 0, { timeoutMs: 10_000 });
    expect(follower.resolve('orders_of', { from: 'c1' })).toEqual(
      writer.resolve('orders_of', { from: 'c1' }),
    );
    expect(follower.resolve('orders_of', { from: 'c1' })).toHaveLength(2);
  });

  it('a follower whose sessions are terminated reconnects and catches up: every fact once, in seq order', async () => {
    const writer = await pg.writer();
    const feed = recordingFeed();
    const follower = await pg.follower({ changefeed: feed });
    const before = [1, 2].map((n) => writer.write({ store: 'tasks', key: `t${n}`, value: { n } }));
    await writer.flush();
    await follower.waitForSeq(2, { timeoutMs: 10_000 });
    const sql = await pg.sql();
    const { rows } = await sql.query<{ name: string; ended: boolean }>(
      `SELECT application_name AS name, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE application_name IN ($1, $2) ORDER BY 1`,
      [`igniter follower ${pg.schema()}`, `igniter notices ${pg.schema()}`],
    );
    // The notice session may already be gone by the time its row is reached: the follower ends it
    // itself once the catch-up session fails.
    expect(rows.map((row) => row.name)).toEqual([
      `igniter follower ${pg.schema()}`,
      `igniter notices ${pg.schema()}`,
    ]);
    expect(rows[0]?.ended).toBe(true);
    // Written while the follower has no session: it must come by the catch-up after the reconnect.
    const during = [3, 4, 5].map((n) => writer.write({ store: 'tasks', key: `t${n}`, value: { n } }));
    await writer.flush();
    await follower.waitForSeq(5, { timeoutMs: 10_000 });
    const after = writer.write({ store: 'tasks', key: 't6', value: { n: 6 } });
    await writer.flush();
    await follower.waitForSeq(6, { timeoutMs: 10_000 });
    const written = [...before, ...during, after];
    expect(follower.factLogAll().map((f) => [f.seq, f.id])).toEqual(written.map((f) => [f.seq, f.id]));
    expect(feed.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(follower.read({ store: 'tasks', key: 't4' })).toEqual({ n: 4 });
    // Both sessions are back, under their names.
    const back = await sql.query<{ name: string }>(
      'SELECT application_name AS name FROM pg_stat_activity WHERE application_name IN ($1, $2) ORDER BY 1',
      [`igniter follower ${pg.schema()}`, `igniter notices ${pg.schema()}`],
    );
    expect(back.rows.map((row) => row.name)).toEqual([
      `igniter follower ${pg.schema()}`,
      `igniter notices ${pg.schema()}`,
    ]);
  });

  it('waitForSeq rejects with ERR_TIMEOUT when the seq does not come', async () => {
    await pg.writer();
    const follower = await pg.follower();
    expect(await codeOf(() => follower.waitForSeq(5, { timeoutMs: 50 }))).toBe('ERR_TIMEOUT');
  });

  it('promote() is ERR_LOCKED while the writer holds the lock, and the follower stays read-only', async () => {
    await pg.writer();
    const follower = await pg.follower();
    expect(await codeOf(() => follower.promote())).toBe('ERR_LOCKED');
    expect(follower.role).toBe('follower');
    expect(await codeOf(() => follower.write({ store: 's', key: 'k', value: 1 }))).toBe('ERR_READ_ONLY');
  });

  it('after the writer closes, promote() makes the follower the writer, continuing the seq', async () => {
    const writer = await pg.writer();
    const follower = await pg.follower();
    writer.write({ store: 's', key: 'a', value: 1 });
    writer.write({ store: 's', key: 'b', value: 2 });
    await writer.close();
    await follower.promote();
    expect(follower.role).toBe('writer');
    expect(follower.factLogAll().map((f) => f.key)).toEqual(['a', 'b']);
    const next = follower.write({ store: 's', key: 'c', value: 3 });
    expect(next.seq).toBe(3);
    await follower.flush();
    const reopened = await pg.follower();
    expect(reopened.factLogAll().map((f) => [f.seq, f.key])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('a promoted follower runs the rules registered on it', async () => {
    const writer = await pg.writer();
    const follower = await pg.follower();
    follower.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'stats',
      targetKey: 'all',
      rule: (facts) => ({ count: facts.length }),
    });
    writer.write({ store: 'tasks', key: 'a', value: {} });
    await writer.close();
    await follower.promote();
    follower.write({ store: 'tasks', key: 'b', value: {} });
    expect(follower.read({ store: 'stats', key: 'all' })).toEqual({ count: 2 });
  });
});
