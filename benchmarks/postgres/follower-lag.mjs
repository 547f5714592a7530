// Follower lag under a sustained write load: a writer (this process) writes RATE facts/s for
// SECONDS s into PostgreSQL with group commit; a follower in another process applies them and
// measures, per fact, the time from the writer's write() to its application on the follower
// (group commit, the INSERT, NOTIFY, the follower's catch-up read and apply). Prints p50/p99/max,
// and the same split at the moment the append notice reaches the follower's machine: the writer's
// part (group-commit wait, INSERT and commit, NOTIFY delivery) and the follower's (catch-up, apply).
// Usage: node postgres/follower-lag.mjs (RATE=10000 SECONDS=10; IGNITER_PG_URL to use a running
// server; PG_FSYNC=off to start the throwaway server without fsync, a diagnostic).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openPostgresStore } from '@igniter/backend-postgres';
import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';

const RATE = Number(process.env.RATE ?? 10_000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const TICK_MS = 10;
// PG_FSYNC=off: a diagnostic only (commits are then not durable), to tell the disk's share of
// the lag from the CPUs'.
const server = process.env.IGNITER_PG_URL
  ? undefined
  : await startThrowawayPostgres({ fsync: process.env.PG_FSYNC !== 'off' });
const url = process.env.IGNITER_PG_URL ?? server.url;
const schema = `lag_${process.pid}`;

const writer = await openPostgresStore({ connectionString: url, schema });
const follower = spawn(
  process.execPath,
  [fileURLToPath(new URL('lag-follower.mjs', import.meta.url)), url, schema],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const lines = createInterface({ input: follower.stdout });
const next = async () => (await once(lines, 'line'))[0];
if ((await next()) !== 'ready') throw new Error('the follower did not start');

const perTick = Math.round((RATE * TICK_MS) / 1000);
const start = performance.now();
let n = 0;
// Per tick with writes: from the tick's writes to the resolution of a flush() asked right after
// them (the batch's INSERT and commit, PostgreSQL's fsync included). The flush seals the batch
// in the same turn, where group commit would have sealed it at the end of the turn anyway.
const commits = [];
while (performance.now() - start < SECONDS * 1000) {
  const due = Math.round(((performance.now() - start) / 1000) * RATE);
  const before = n;
  for (; n < due; n++)
    writer.write({ store: 'load', key: `k${n % 10_000}`, value: { n, t: Date.now(), pad: 'x'.repeat(60) } });
  if (n > before) {
    const asked = performance.now();
    void writer.flush().then(() => commits.push(performance.now() - asked));
  }
  await new Promise((r) => setTimeout(r, TICK_MS));
}
await writer.flush();
const achieved = Math.round(n / ((performance.now() - start) / 1000));
follower.stdin.write(`report ${writer.factCount()}\n`);
const report = JSON.parse(await next());
const show = ({ p50, p99, max }) => `p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`;
const sorted = commits.sort((a, b) => a - b);
const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
console.log(
  `target ${RATE} facts/s (${perTick} per ${TICK_MS} ms tick), achieved ${achieved} facts/s for ${SECONDS} s; ${report.all.total.count} facts applied in ${report.catchUps} catch-ups; load average ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `writer: a tick's writes to committed (flush resolved), ${sorted.length} ticks: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${Math.round(sorted.at(-1))} ms`,
);
for (const [name, part] of [
  ['all', report.all],
  ['after the first second', report.warm],
]) {
  console.log(`${name}: follower lag (write() to applied) ${show(part.total)}`);
  console.log(
    `  write() to the append notice seen (writer: group commit, INSERT, NOTIFY) ${show(part.toNotice)}`,
  );
  console.log(`  notice seen to applied (follower: catch-up query, apply) ${show(part.afterNotice)}`);
}
await writer.close();
await server?.stop();
