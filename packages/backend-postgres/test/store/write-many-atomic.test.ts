import { describe, expect, it } from 'vitest';
import { codeOf, usePostgresStores } from '../support/stores.js';

const stores = usePostgresStores();

describe('writeMany on a PostgreSQL store', () => {
  it('a fact PostgreSQL cannot hold refuses the whole batch: nothing stored, before or after a reopen', async () => {
    const store = await stores.writer();
    store.write({ store: 'tasks', key: 'before', value: 0 });
    const batch = ['t1', 't2', 'a\u0000b', 't4'].map((key, i) => ({ store: 'tasks', key, value: i }));
    expect(await codeOf(() => store.writeMany(batch))).toBe('ERR_INVALID_ARGUMENT');
    expect(store.lastSeq()).toBe(1);
    expect(store.keys({ store: 'tasks' })).toEqual(['before']);
    store.writeMany(batch.filter((input) => input.key !== 'a\u0000b'));
    await store.close();

    const reopened = await stores.writer();
    expect(reopened.history({ store: 'tasks' }).map((f) => [f.seq, f.key])).toEqual([
      [1, 'before'],
      [2, 't1'],
      [3, 't2'],
      [4, 't4'],
    ]);
  });

  it('a batch larger than one insert statement still commits in one transaction', async () => {
    const store = await stores.writer();
    store.write({ store: 'tasks', key: 'before', value: 0 });
    await store.flush();
    const batch = Array.from({ length: 5000 }, (_, i) => ({ store: 'tasks', key: `k${i}`, value: i }));
    store.writeMany(batch);
    await store.flush();
    const sql = await stores.sql();
    // Rows inserted by one transaction share its id (xmin).
    const { rows } = await sql.query(
      `SELECT count(*)::int AS facts, count(DISTINCT xmin::text)::int AS transactions
         FROM "${stores.schema()}".igniter_facts WHERE seq >= 2`,
    );
    expect(rows).toEqual([{ facts: 5000, transactions: 1 }]);
  });
});
