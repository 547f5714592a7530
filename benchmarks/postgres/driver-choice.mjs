// Chooses the PostgreSQL driver of @igniter/backend-postgres by measurement: the same
// batched insert of fact-shaped rows (one statement per batch, unnest of arrays) and the same
// streaming read of every row, with `pg` (node-postgres + pg-copy-streams) and `postgres`
// (postgres.js). Prints rows/s and the ratio. Usage: node postgres/driver-choice.mjs
// (ROWS=200000 BATCH=1000; IGNITER_PG_URL to use a running server instead of a throwaway one).
import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import postgres from 'postgres';

const ROWS = Number(process.env.ROWS ?? 200_000);
const BATCH = Number(process.env.BATCH ?? 1000);
const server = process.env.IGNITER_PG_URL ? undefined : await startThrowawayPostgres();
const url = process.env.IGNITER_PG_URL ?? server.url;

const columns =
  'seq bigint primary key, id text, store text, key text, value json, value_hash text, transaction_time double precision';
const insertSql = (table) =>
  `INSERT INTO ${table} SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::json[], $6::text[], $7::float8[])`;

function batchOf(start) {
  const cols = [[], [], [], [], [], [], []];
  for (let seq = start; seq < start + BATCH; seq++) {
    cols[0].push(seq);
    cols[1].push(`0190f2a0-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`);
    cols[2].push(`store${seq % 3}`);
    cols[3].push(`key-${seq % 50000}`);
    cols[4].push(
      JSON.stringify({ n: seq, name: `some name ${seq}`, tags: ['a', 'b', 'c'], payload: 'x'.repeat(60) }),
    );
    cols[5].push('ab'.repeat(32));
    cols[6].push(1_700_000_000_000 + seq);
  }
  return cols;
}

async function time(label, run) {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  console.log(`${label}: ${ms.toFixed(0)} ms, ${Math.round((ROWS / ms) * 1000)} rows/s`);
  return ms;
}

const client = new pg.Client({ connectionString: url });
await client.connect();
const results = {};
for (const round of [1, 2]) {
  // Fresh tables per round: postgres.js keeps prepared statements, which a dropped table breaks.
  const [a, b] = [`a${round}`, `b${round}`];
  // A fresh postgres.js client per round too: after a COPY read its connection took no more queries.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await client.query(`CREATE TABLE ${a} (${columns}); CREATE TABLE ${b} (${columns})`);
  results[`pg insert ${round}`] = await time(`pg insert (round ${round})`, async () => {
    for (let s = 1; s <= ROWS; s += BATCH) await client.query(insertSql(a), batchOf(s));
  });
  results[`postgres insert ${round}`] = await time(`postgres insert (round ${round})`, async () => {
    for (let s = 1; s <= ROWS; s += BATCH) await sql.unsafe(insertSql(b), batchOf(s));
  });
  results[`pg read ${round}`] = await time(`pg COPY binary read (round ${round})`, async () => {
    let bytes = 0;
    for await (const chunk of client.query(
      copyTo(`COPY (SELECT * FROM ${a} ORDER BY seq) TO STDOUT (FORMAT binary)`),
    ))
      bytes += chunk.length;
    if (bytes === 0) throw new Error('nothing read');
  });
  results[`postgres read ${round}`] = await time(`postgres COPY binary read (round ${round})`, async () => {
    let bytes = 0;
    const stream = await sql
      .unsafe(`COPY (SELECT * FROM ${b} ORDER BY seq) TO STDOUT (FORMAT binary)`)
      .readable();
    for await (const chunk of stream) bytes += chunk.length;
    if (bytes === 0) throw new Error('nothing read');
  });
  await sql.end({ timeout: 1 });
}
console.log(
  `insert pg/postgres: ${(results['postgres insert 2'] / results['pg insert 2']).toFixed(2)} (above 1: pg faster); ` +
    `read pg/postgres: ${(results['postgres read 2'] / results['pg read 2']).toFixed(2)}`,
);
await client.end();
await server?.stop();
