// The follower process of follower-lag.mjs: applies what the writer commits and records, per
// fact, the time from the writer's write (value.t) to its application here. On "report <seq>"
// it waits for seq and prints "lag <p50> <p99> <max> <count>" in ms, for the whole run and
// again for the run after its first second.
import { createInterface } from 'node:readline';
import { followPostgresStore } from '@igniter/backend-postgres';

const [url, schema] = process.argv.slice(2);
const lags = [];
const changefeed = {
  attach: () => undefined,
  publish: (fact) => {
    if (typeof fact.value?.t === 'number') lags.push([fact.value.t, Date.now() - fact.value.t]);
  },
};
const percentiles = (list) => {
  const sorted = list.map((entry) => entry[1]).sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `${at(0.5)} ${at(0.99)} ${sorted.at(-1)} ${sorted.length}`;
};
const store = await followPostgresStore({ connectionString: url, schema, changefeed });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, seq] = line.split(' ');
  if (command !== 'report') continue;
  await store.waitForSeq(Number(seq), { timeoutMs: 60_000 });
  // The whole run, and the run after its first second (connections warm, code compiled).
  const warm = lags.filter(([t]) => t >= (lags[0]?.[0] ?? 0) + 1000);
  console.log(`lag ${percentiles(lags)} ${percentiles(warm)}`);
  await store.close();
  process.exit(0);
}
