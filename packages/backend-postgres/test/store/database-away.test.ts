import type { IgniterStore } from '@igniter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/index.js';
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
});
