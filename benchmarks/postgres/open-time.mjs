// Open time of a 1M-fact store kept in PostgreSQL against the same facts in a file store, per
// engine, each open in a fresh process (best and median of RUNS). Goal: PostgreSQL within 3x of
// the file backend. The facts are those of ../open-time.mjs (3 stores, 50k keys, ~120-byte
// values, a producer on every tenth), written once to a file store and copied into PostgreSQL.
// Usage: node postgres/open-time.mjs (FACTS=1000000 RUNS=3; IGNITER_PG_URL to use a running server).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { PostgresBackend } from '@igniter/backend-postgres';
import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';
import { openTimeInputs } from '../open-time-facts.mjs';

const FACTS = Number(process.env.FACTS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const server = process.env.IGNITER_PG_URL ? undefined : await startThrowawayPostgres();
const url = process.env.IGNITER_PG_URL ?? server.url;
const schema = `open_${FACTS}_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'igniter-open-'));
const logPath = join(dir, 'app.log');

async function generate() {
  const started = performance.now();
  const store = openFileStore(logPath, {
    engine: 'ts',
    groupCommitMs: 1000,
    groupCommitBytes: 64 * 1024 * 1024,
  });
  for (let from = 0; from < FACTS; from += 10_000) {
    const inputs = openTimeInputs(from, Math.min(FACTS, from + 10_000));
    store.writeMany(inputs);
  }
  const facts = store.factLogAll();
  await store.close();
  const backend = await PostgresBackend.connect({ connectionString: url, schema });
  for (let i = 0; i < facts.length; i++) {
    backend.writeFact(facts[i]);
    if (i % 20_000 === 19_999) await backend.flush();
  }
  await backend.close();
  return performance.now() - started;
}

function openOnce(kind, engine) {
  const open =
    kind === 'postgres'
      ? `const { openPostgresStore } = await import('@igniter/backend-postgres');
         const store = await openPostgresStore({ connectionString: ${JSON.stringify(url)}, schema: ${JSON.stringify(schema)}, engine: ${JSON.stringify(engine)} });`
      : `const { openFileStore } = await import('@igniter/backend-file');
         const store = openFileStore(${JSON.stringify(logPath)}, { engine: ${JSON.stringify(engine)} });`;
  const script = `const t0 = performance.now(); ${open}
    const ms = performance.now() - t0; const count = store.factCount(); await store.close();
    console.log(JSON.stringify({ ms, count }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: import.meta.dirname,
  });
  const { ms, count } = JSON.parse(out.trim().split('\n').at(-1));
  if (count !== FACTS) throw new Error(`${kind} opened ${count} facts, expected ${FACTS}`);
  return ms;
}

console.log(`generating ${FACTS} facts (load average ${loadavg()[0].toFixed(1)})`);
console.log(`generated in ${((await generate()) / 1000).toFixed(1)} s`);
console.log(
  `load average at the opens: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const engine of ['native', 'ts']) {
  const times = { file: [], postgres: [] };
  for (let run = 0; run < RUNS; run++)
    for (const kind of ['file', 'postgres']) times[kind].push(openOnce(kind, engine));
  const best = (list) => Math.min(...list);
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  for (const kind of ['file', 'postgres']) {
    console.log(
      `${engine} ${kind}: best ${(best(times[kind]) / 1000).toFixed(2)} s, median ${(median(times[kind]) / 1000).toFixed(2)} s`,
    );
  }
  console.log(`${engine}: postgres / file (best) = ${(best(times.postgres) / best(times.file)).toFixed(2)}x`);
}
rmSync(dir, { recursive: true, force: true });
await server?.stop();
