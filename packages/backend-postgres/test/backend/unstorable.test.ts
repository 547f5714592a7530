import { contractFact } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { PostgresBackend } from '../../src/index.js';
import { freshSchema, pgUrl } from '../support/pg.js';
import { codeOf, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();

describe('text PostgreSQL cannot hold', () => {
  it.each([
    ['a NUL in the key', { key: 'a\u0000b' }],
    ['an unpaired surrogate in the store', { store: 's\ud800' }],
    ['a NUL in the idempotency key', { idempotencyKey: '\u0000' }],
  ])('%s is ERR_INVALID_ARGUMENT and nothing is stored', async (_name, overrides) => {
    const schema = freshSchema();
    const backend = pg.track(await PostgresBackend.connect({ connectionString: pgUrl, schema }));
    expect(await codeOf(() => backend.writeFact(contractFact(1, overrides)))).toBe('ERR_INVALID_ARGUMENT');
    backend.writeFact(contractFact(2));
    await backend.close();
    const again = pg.track(await PostgresBackend.connect({ connectionString: pgUrl, schema }));
    expect([...again.replay()].map((f) => f.seq)).toEqual([2]);
  });
});
