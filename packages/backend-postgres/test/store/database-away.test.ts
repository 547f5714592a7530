import type { Fact, IgniterStore } from '@igniter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followPostgresStore, openPostgresStore } from '../../src/index.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../src/testing/index.js';
import { freshSchema } from '../support/pg.js';
import { codeOf, ENGINE } from '../support/stores.js';

// This file crashes its own server, so it does not share the run's.
let server: ThrowawayPostgres;
beforeAll(async () => {
  server = await startThrowawayPostgres();
});
afterAll(() => server?.stop());

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(`the database going away mid-run (${ENGINE} engine)`, () => {
  it('writes fail with ERR_CLOSED, flush rejects, the store says it is closed, and acknowledged facts survive', async () => {
    const schema = freshSchema();
    const store: IgniterStore = await openPostgresStore({
      connectionString: server.url,
      schema,
      engine: ENGINE,
    });
    const acknowledged = [1, 2, 3].map((n) => store.write({ store: 'tasks', key: `t${n}`, value: { n } }));
    await store.flush();
    store.write({ store: 'tasks', key: 'unacknowledged', value: 0 });
    const flushing = store.flush().then(
      () => 'resolved',
      (error: { code: string }) => error.code,
    );
    server.crash();
    await until(() => {
      try {
        store.factCount();
        return false;
      } catch {
        return true;
      }
    });
    expect(await codeOf(() => store.write({ store: 'tasks', key: 'later', value: 1 }))).toBe('ERR_CLOSED');
    expect(await codeOf(() => store.read({ store: 'tasks', key: 't1' }))).toBe('ERR_CLOSED');
    expect(await codeOf(() => store.flush())).toBe('ERR_CLOSED');
    // The flush in flight either finished before the crash or rejects; it never hangs.
    expect(['resolved', 'ERR_CLOSED']).toContain(await flushing);

    server.restart();
    const again = await openPostgresStore({ connectionString: server.url, schema, engine: ENGINE });
    try {
      const ids = again.factLogAll().map((f) => f.id);
      expect(ids.slice(0, 3)).toEqual(acknowledged.map((f) => f.id));
      expect(again.factLogAll().every((f) => f.key !== 'later')).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('a follower rides out the restart: it serves what it holds, refuses promote() with ERR_NETWORK, then catches up', async () => {
    const schema = freshSchema();
    const options = { connectionString: server.url, schema, engine: ENGINE } as const;
    const writer = await openPostgresStore(options);
    const events: number[] = [];
    const changefeed = { publish: (fact: Fact) => events.push(fact.seq), attach: () => undefined };
    const follower = await followPostgresStore({ ...options, pollMs: 200, changefeed });
    try {
      const before = [1, 2, 3].map((n) => writer.write({ store: 'tasks', key: `t${n}`, value: { n } }));
      await writer.flush();
      await follower.waitForSeq(3, { timeoutMs: 10_000 });

      server.crash();
      expect(await codeOf(() => follower.promote())).toBe('ERR_NETWORK');
      expect(follower.role).toBe('follower');
      expect(follower.read({ store: 'tasks', key: 't2' })).toEqual({ n: 2 });
      expect(follower.factCount()).toBe(3);
      await writer.close().catch(() => undefined);

      server.restart();
      // A new writer continues the seq and rewrites the table (an erasure) while the follower is away.
      const next = await openPostgresStore(options);
      const later = [4, 5].map((n) => next.write({ store: 'tasks', key: `t${n}`, value: { n } }));
      next.pruneFactIds({ factIds: [before[1]?.id ?? ''], reason: 'erasure' });
      await next.flush();
      const lastSeq = next.factLogAll().at(-1)?.seq ?? 0;
      await follower.waitForSeq(lastSeq, { timeoutMs: 20_000 });
      await until(() => follower.factCount() === next.factCount());
      expect(follower.factLogAll().map((f) => [f.seq, f.id])).toEqual(
        next.factLogAll().map((f) => [f.seq, f.id]),
      );
      expect(follower.read({ store: 'tasks', key: 't2' })).toBeUndefined();
      expect(follower.read({ store: 'tasks', key: 't5' })).toEqual({ n: 5 });
      expect(later.map((f) => f.seq)).toEqual([4, 5]);
      // Every fact reached the changefeed once, in seq order.
      await until(() => events.length >= 5);
      expect(events.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);

      await next.close();
      await follower.promote();
      expect(follower.write({ store: 'tasks', key: 't6', value: { n: 6 } }).seq).toBe(lastSeq + 1);
      await follower.flush();
    } finally {
      await follower.close().catch(() => undefined);
    }
  });
});
