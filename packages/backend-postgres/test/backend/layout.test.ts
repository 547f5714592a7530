import { describe, expect, it } from 'vitest';
import { LAYOUT_VERSION, PostgresBackend } from '../../src/index.js';
import { freshSchema, pgUrl } from '../support/pg.js';
import { codeOf, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();

describe('the table layout', () => {
  it('is created on first use with the layout version this release writes', async () => {
    const schema = freshSchema();
    pg.track(await PostgresBackend.connect({ connectionString: pgUrl, schema }));
    const sql = await pg.sql();
    const { rows } = await sql.query(`SELECT version, last_seq, generation FROM "${schema}".igniter_layout`);
    expect(rows).toEqual([{ version: LAYOUT_VERSION, last_seq: '0', generation: '0' }]);
  });

  it('a layout newer than this release is ERR_UNSUPPORTED_FORMAT, for a writer and a follower', async () => {
    const schema = freshSchema();
    await (await PostgresBackend.connect({ connectionString: pgUrl, schema })).close();
    const sql = await pg.sql();
    await sql.query(`UPDATE "${schema}".igniter_layout SET version = $1`, [LAYOUT_VERSION + 1]);
    expect(await codeOf(() => PostgresBackend.connect({ connectionString: pgUrl, schema }))).toBe(
      'ERR_UNSUPPORTED_FORMAT',
    );
    expect(await codeOf(() => PostgresBackend.follow({ connectionString: pgUrl, schema }))).toBe(
      'ERR_UNSUPPORTED_FORMAT',
    );
  });

  it('a refused open releases the writer lock', async () => {
    const schema = freshSchema();
    await (await PostgresBackend.connect({ connectionString: pgUrl, schema })).close();
    const sql = await pg.sql();
    await sql.query(`UPDATE "${schema}".igniter_layout SET version = $1`, [LAYOUT_VERSION + 1]);
    await codeOf(() => PostgresBackend.connect({ connectionString: pgUrl, schema }));
    await sql.query(`UPDATE "${schema}".igniter_layout SET version = $1`, [LAYOUT_VERSION]);
    expect(pg.track(await PostgresBackend.connect({ connectionString: pgUrl, schema })).role()).toBe(
      'writer',
    );
  });

  it.each([
    ['an empty schema', { schema: '' }],
    ['a schema over 63 bytes', { schema: 's'.repeat(64) }],
    ['a missing connection string', { connectionString: '' }],
    ['an unknown durability', { durability: 'fsync' }],
    ['a negative groupCommitMs', { groupCommitMs: -1 }],
    ['an unknown option', { groupCommitMS: 5 }],
  ])('%s is ERR_INVALID_ARGUMENT', async (_name, bad) => {
    const options = { connectionString: pgUrl, schema: freshSchema(), ...bad } as Parameters<
      typeof PostgresBackend.connect
    >[0];
    expect(await codeOf(() => PostgresBackend.connect(options))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('an unreachable server is ERR_CLOSED', async () => {
    const url = 'postgresql://postgres@127.0.0.1:1/postgres';
    expect(await codeOf(() => PostgresBackend.connect({ connectionString: url }))).toBe('ERR_CLOSED');
  });
});
