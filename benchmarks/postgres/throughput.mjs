// Durable writes per second into PostgreSQL through Igniter's group commit, against the file
// backend on the same machine and against the ceiling: a plain batched INSERT of the same rows
// with the same driver and statement, one batch after another, no Igniter in between.
// Writes arrive as a sustained load (chunks of CHUNK writes with the event loop running in
// between), then one flush; a run counts until that flush resolves.
// Usage: node postgres/throughput.mjs (FACTS=100000 CHUNK=500; IGNITER_PG_URL to use a running
// server instead of a throwaway one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { openFileStore } from '@igniter/backend-file';
import { openPostgresStore } from '@igniter/backend-postgres';
import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';
import pg from 'pg';

const FACTS = Number(process.env.FACTS ?? 100_000);
const CHUNK = Number(process.env.CHUNK ?? 500);
const BATCH = 4096; // the group commit's batch size
const server = process.env.IGNITER_PG_URL ? undefined : await startThrowawayPostgres();
const url = process.env.IGNITER_PG_URL ?? server.url;

const itemValue = (n) => ({ n, name: `item ${n}`, tags: ['a', 'b'], note: 'x'.repeat(60) });

async function igniterRun(store) {
  const start = performance.now();
  for (let n = 0; n < FACTS; ) {
    for (let i = 0; i < CHUNK && n < FACTS; i++, n++)
      store.write({ store: `s${n % 3}`, key: `k${n % 50_000}`, value: itemValue(n) });
    await turn();
  }
  await store.flush();
  return performance.now() - start;
}

async function plainInsert(rows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS plain CASCADE; CREATE SCHEMA plain');
  await client.query(`CREATE TABLE plain.facts (seq bigint PRIMARY KEY, id text NOT NULL, store text NOT NULL,
    key text NOT NULL, value json NOT NULL, value_hash text NOT NULL, causation text,
    transaction_time double precision NOT NULL, valid_time double precision, schema_version integer NOT NULL,
    producer json, derivation json, idempotency_key text)`);
  const sql = `INSERT INTO plain.facts SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
    $5::json[], $6::text[], $7::text[], $8::float8[], $9::float8[], $10::int4[], $11::json[], $12::json[], $13::text[])`;
  const start = performance.now();
  for (let at = 0; at < rows.length; at += BATCH) {
    const batch = rows.slice(at, at + BATCH);
    await client.query(
      sql,
      Array.from({ length: 13 }, (_, c) => batch.map((row) => row[c])),
    );
  }
  const ms = performance.now() - start;
  await client.end();
  return ms;
}

const rate = (ms) => Math.round((FACTS / ms) * 1000);
const results = [];

const schema = `bench_${process.pid}`;
const pgStore = await openPostgresStore({ connectionString: url, schema });
const pgMs = await igniterRun(pgStore);
results.push(['Igniter on PostgreSQL, group commit', pgMs]);
// The same rows, as the plain insert sends them.
const rows = pgStore
  .factLogAll()
  .map((f) => [
    String(f.seq),
    f.id,
    f.store,
    f.key,
    JSON.stringify(f.value),
    f.valueHash,
    f.causation,
    String(f.transactionTime),
    f.validTime === null ? null : String(f.validTime),
    f.schemaVersion,
    f.producer === null ? null : JSON.stringify(f.producer),
    f.derivation === null ? null : JSON.stringify(f.derivation),
    f.idempotencyKey,
  ]);
await pgStore.close();
results.push(['plain batched INSERT, same rows, same driver', await plainInsert(rows)]);

const dir = mkdtempSync(join(tmpdir(), 'igniter-bench-'));
const fileStore = openFileStore(join(dir, 'app.log'));
results.push(['Igniter on the file backend, group commit', await igniterRun(fileStore)]);
await fileStore.close();
rmSync(dir, { recursive: true, force: true });

const plain = results[1][1];
for (const [label, ms] of results) {
  console.log(
    `${label}: ${ms.toFixed(0)} ms, ${rate(ms)} facts/s, ${((plain / ms) * 100).toFixed(0)}% of the plain insert's rate`,
  );
}
await server?.stop();
