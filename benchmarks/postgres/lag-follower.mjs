// The follower process of follower-lag.mjs: applies what the writer commits and records, per
// fact, the time from the writer's write (value.t) to its application here. A second connection
// LISTENs on the writer's channel and records when each append notice arrives, which splits the
// lag into the writer's part (group-commit wait, the INSERT and its commit, NOTIFY delivery) and
// the follower's (its wake-up, the catch-up query, applying the facts). On "report <seq>" it waits
// for seq and prints one JSON line: percentiles of the three, for the whole run and for the run
// after its first second, and how many catch-ups applied facts.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { followPostgresStore } from '@igniter/backend-postgres';
import pg from 'pg';

const [url, schema] = process.argv.slice(2);
// The writer's channel, as @igniter/backend-postgres names it (layout.ts, schemaNames).
const channel = `igniter_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`;
const notices = []; // [last seq, arrival ms]
const listener = new pg.Client({ connectionString: url });
await listener.connect();
listener.on('notification', (message) => {
  const match = /^append \d+ (\d+)$/.exec(message.payload ?? '');
  if (match) notices.push([Number(match[1]), performance.timeOrigin + performance.now()]);
});
await listener.query(`LISTEN ${channel}`);

const applied = []; // [seq, written ms, applied ms]
let catchUps = 0;
let inCatchUp = false;
const changefeed = {
  attach: () => undefined,
  publish: (fact) => {
    const now = performance.timeOrigin + performance.now();
    // A catch-up applies its facts in one synchronous run.
    if (!inCatchUp) {
      catchUps++;
      inCatchUp = true;
      queueMicrotask(() => {
        inCatchUp = false;
      });
    }
    if (typeof fact.value?.t === 'number') applied.push([fact.seq, fact.value.t, now]);
  },
};

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    p50: Math.round(at(0.5)),
    p99: Math.round(at(0.99)),
    max: Math.round(sorted.at(-1)),
    count: sorted.length,
  };
}

/** Lag split per fact: [total, write -> notice seen, notice seen -> applied]. */
function split(rows) {
  const total = [];
  const toNotice = [];
  const afterNotice = [];
  let n = 0;
  for (const [seq, written, at] of rows) {
    while (n < notices.length && notices[n][0] < seq) n++;
    total.push(at - written);
    const notice = notices[n];
    // A fact applied before its notice reached the listener (an earlier catch-up read it) counts
    // its whole lag to the writer's part.
    if (notice) {
      toNotice.push(Math.min(notice[1], at) - written);
      afterNotice.push(Math.max(0, at - notice[1]));
    }
  }
  return {
    total: percentiles(total),
    toNotice: percentiles(toNotice),
    afterNotice: percentiles(afterNotice),
  };
}

const store = await followPostgresStore({ connectionString: url, schema, changefeed });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, seq] = line.split(' ');
  if (command !== 'report') continue;
  await store.waitForSeq(Number(seq), { timeoutMs: 60_000 });
  // The whole run, and the run after its first second (connections warm, code compiled).
  const warm = applied.filter(([, t]) => t >= (applied[0]?.[1] ?? 0) + 1000);
  console.log(JSON.stringify({ all: split(applied), warm: split(warm), catchUps }));
  await store.close();
  await listener.end();
  process.exit(0);
}
