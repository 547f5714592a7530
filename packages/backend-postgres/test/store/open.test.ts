import type { Fact } from '@igniter/core';
import { describe, expect, it } from 'vitest';
import { ENGINE, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();

/** Every field of a fact, as plain data (engines may hand out lazily decoded fact objects). */
const fields = (f: Fact) => ({
  seq: f.seq,
  id: f.id,
  store: f.store,
  key: f.key,
  value: structuredClone(f.value),
  valueHash: f.valueHash,
  causation: f.causation,
  transactionTime: f.transactionTime,
  validTime: f.validTime,
  schemaVersion: f.schemaVersion,
  producer: structuredClone(f.producer),
  derivation: structuredClone(f.derivation),
  idempotencyKey: f.idempotencyKey,
});

describe(`opening a store kept in PostgreSQL (${ENGINE} engine)`, () => {
  it('a store whose rows span many COPY chunks reopens with every fact exactly', async () => {
    const store = await pg.writer();
    for (let i = 0; i < 6000; i++) {
      store.write({
        store: ['orders', 'ünïcödé', 'events'][i % 3] as string,
        key: `key-${i % 700}`,
        value: { i, note: 'x'.repeat(i % 400), nested: { b: [i, -0.5, 'é✓'], a: i % 2 === 0 } },
        producer: i % 10 === 0 ? { system: 'importer' } : null,
        validTime: i % 7 === 0 ? i : undefined,
      });
    }
    const written = store.factLogAll().map(fields);
    const stats = store.storageStats();
    await store.close();
    const again = await pg.writer();
    expect(again.factLogAll().map(fields)).toEqual(written);
    expect(again.storageStats()?.stores).toEqual(stats?.stores);
    expect(again.write({ store: 'orders', key: 'next', value: 1 }).seq).toBe(6001);
  });

  it('a stored value that is not in canonical form opens as its canonical value, with its hash', async () => {
    const store = await pg.writer();
    const fact = store.write({ store: 'tasks', key: 't1', value: { a: [2.5], b: 1 } });
    await store.close();
    const sql = await pg.sql();
    await sql.query(
      `UPDATE "${pg.schema()}".igniter_facts SET value = '{ "b": 1.0, "a": [2.50] }' WHERE seq = 1`,
    );
    const again = await pg.writer();
    expect(again.read({ store: 'tasks', key: 't1' })).toEqual({ a: [2.5], b: 1 });
    expect(again.factById(fact.id)?.valueHash).toBe(fact.valueHash);
    expect(await again.verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('an open whose COPY fails midway (an error from the server after many rows) rejects with that error; the next open reads every fact', async () => {
    const store = await pg.writer();
    for (let i = 0; i < 3000; i++)
      store.write({ store: 'tasks', key: `k${i % 50}`, value: { i, pad: 'x'.repeat(100) } });
    const written = store.factLogAll().map((f) => f.id);
    await store.close();
    const sql = await pg.sql();
    const schema = `"${pg.schema()}"`;
    // The open's COPY reads the table through a view that fails at seq 2500, as a server failing
    // mid-COPY does: the rows before it come first, then an ErrorResponse (division by zero).
    await sql.query(`ALTER TABLE ${schema}.igniter_facts RENAME TO real_facts`);
    await sql.query(
      `CREATE VIEW ${schema}.igniter_facts AS SELECT seq, id, store, key,
         CASE WHEN seq = 2500 THEN (1 / (seq - 2500))::text::json ELSE value END AS value,
         value_hash, causation, transaction_time, valid_time, schema_version, producer, derivation,
         idempotency_key FROM ${schema}.real_facts`,
    );
    const failed = await pg.writer().then(
      () => 'opened',
      (error: { code?: string }) => error.code,
    );
    expect(failed).toBe('22012');
    await sql.query(`DROP VIEW ${schema}.igniter_facts`);
    await sql.query(`ALTER TABLE ${schema}.real_facts RENAME TO igniter_facts`);
    const again = await pg.writer();
    expect(again.factLogAll().map((f) => f.id)).toEqual(written);
  });
});
