// Durable writes per second into PostgreSQL through Igniter's group commit, against the file
// backend on the same machine and against the ceiling: a plain batched INSERT of the same rows
// with the same driver and statement, one batch after another, no Igniter in between.
// Writes arrive as a sustained load (chunks of CHUNK writes with the event loop running in
// between), then one flush; a run counts until that flush resolves.
// ROUNDS rounds (default 5), each on fresh tables, alternating which of the two goes first (the
// first writer to a fresh server pays its warm-up); the figures are the medians.
// Usage: node postgres/throughput.mjs (FACTS=100000 CHUNK=500 ROUNDS=5; IGNITER_PG_URL to use a
// running server instead of a throwaway one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { openFileStore } from '@igniter/backend-file';
import { openPostgresStore } from '@igniter/backend-postgres';
import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';
import { IgniterStore } from '@igniter/core';
import pg from 'pg';

const FACTS = Number(process.env.FACTS ?? 100_000);
const CHUNK = Number(process.env.CHUNK ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BATCH = 4096; // the group commit's batch size
const server = process.env.IGNITER_PG_URL ? undefined : await startThrowawayPostgres();
const url = process.env.IGNITER_PG_URL ?? server.url;

const itemValue = (n) => ({ n, name: `item ${n}`, tags: ['a', 'b'], note: 'x'.repeat(60) });

/** Writes the FACTS facts to `store` as the sustained load, then flushes; returns the store. */
async function writeAll(store) {
  for (let n = 0; n < FACTS; ) {
    for (let i = 0; i < CHUNK && n < FACTS; i++, n++)
      store.write({ store: `s${n % 3}`, key: `k${n % 50_000}`, value: itemValue(n) });
    await turn();
  }
  await store.flush();
  return store;
}

/** Milliseconds for {@link writeAll} on `store`, until its flush resolves. */
async function igniterRun(store) {
  const start = performance.now();
  await writeAll(store);
  return performance.now() - start;
}

/** A store's facts as the rows the plain insert sends. */
function rowsOf(store) {
  return store
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
}

async function plainInsert(rows, schema) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await client.query(`CREATE TABLE ${schema}.facts (seq bigint PRIMARY KEY, id text NOT NULL, store text NOT NULL,
    key text NOT NULL, value json NOT NULL, value_hash text NOT NULL, causation text,
    transaction_time double precision NOT NULL, valid_time double precision, schema_version integer NOT NULL,
    producer json, derivation json, idempotency_key text)`);
  const sql = `INSERT INTO ${schema}.facts SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The rows the plain insert sends: the facts of the same writes, made once by an in-memory
// store (same stores, keys and values as every timed run; ids and times of their own).
const rows = rowsOf(await writeAll(new IgniterStore()));

/** One round on fresh tables: Igniter on PostgreSQL and the plain insert, in the order given. */
async function round(r, plainFirst) {
  const pgStore = await openPostgresStore({ connectionString: url, schema: `bench_${process.pid}_${r}` });
  const plain = () => plainInsert(rows, `plain_${r}`);
  const plainBefore = plainFirst ? await plain() : undefined;
  const pgMs = await igniterRun(pgStore);
  await pgStore.close();
  return { pgMs, plainMs: plainBefore ?? (await plain()) };
}

const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const { pgMs, plainMs } = await round(r, r % 2 === 1);
  rounds.push({ pgMs, plainMs });
  console.log(
    `round ${r + 1} (${r % 2 === 1 ? 'plain insert first' : 'Igniter first'}): Igniter on PostgreSQL ${rate(pgMs)} facts/s, plain INSERT ${rate(plainMs)} facts/s, ${((plainMs / pgMs) * 100).toFixed(0)}%`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'igniter-bench-'));
const fileStore = openFileStore(join(dir, 'app.log'));
const fileMs = await igniterRun(fileStore);
await fileStore.close();
rmSync(dir, { recursive: true, force: true });

const pgMs = median(rounds.map((x) => x.pgMs));
const plainMs = median(rounds.map((x) => x.plainMs));
const results = [
  ['Igniter on PostgreSQL, group commit (median)', pgMs],
  ['plain batched INSERT, same rows, same driver (median)', plainMs],
  ['Igniter on the file backend, group commit', fileMs],
];
for (const [label, ms] of results) {
  console.log(
    `${label}: ${ms.toFixed(0)} ms, ${rate(ms)} facts/s, ${((plainMs / ms) * 100).toFixed(0)}% of the plain insert's rate`,
  );
}
console.log(
  `per round, Igniter / plain insert: ${rounds.map((x) => `${((x.plainMs / x.pgMs) * 100).toFixed(0)}%`).join(', ')}; median ${(median(rounds.map((x) => x.plainMs / x.pgMs)) * 100).toFixed(0)}%`,
);
await server?.stop();
