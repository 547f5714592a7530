import type { IgniterStore } from '@igniter/core';
import type { Closable } from '@igniter/core/testing';
import pg from 'pg';
import { afterEach } from 'vitest';
import { followPostgresStore, openPostgresStore, type PostgresStoreOptions } from '../../src/index.js';
import { freshSchema, pgUrl } from './pg.js';

/** The engine this test project runs (vitest config), passed explicitly so a failure names it. */
export const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

type Extra = Omit<PostgresStoreOptions, 'connectionString' | 'schema'>;

/**
 * Opens writers, followers and plain connections on one fresh schema per test and closes them
 * after it. Registers a vitest `afterEach`; call it at the top of a test file.
 */
export function usePostgresStores(): {
  schema: () => string;
  writer: (extra?: Extra) => Promise<IgniterStore>;
  follower: (extra?: Extra) => Promise<IgniterStore>;
  sql: () => Promise<pg.Client>;
  track: <T extends Closable>(item: T) => T;
} {
  let schema = freshSchema();
  let open: Closable[] = [];
  afterEach(async () => {
    for (const item of open.reverse()) await item.close().catch(() => undefined);
    open = [];
    schema = freshSchema();
  });
  const track = <T extends Closable>(item: T): T => {
    open.push(item);
    return item;
  };
  return {
    schema: () => schema,
    writer: async (extra = {}) =>
      track(await openPostgresStore({ engine: ENGINE, ...extra, connectionString: pgUrl, schema })),
    follower: async (extra = {}) =>
      track(
        await followPostgresStore({ engine: ENGINE, pollMs: 200, ...extra, connectionString: pgUrl, schema }),
      ),
    sql: async () => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      track({ close: () => client.end() });
      return client;
    },
    track,
  };
}

/** Runs `run` and returns the code of what it throws or rejects with (fails if it does not). */
export async function codeOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a throw');
}
