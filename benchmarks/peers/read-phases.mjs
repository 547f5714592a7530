// The read phases of one build on a store loaded before, in this process: each key's first
// read, the same keys again, as-of reads; CPU time, wall time and GC pause time per read.
// Finer than ab.mjs (no rounds, no lmdb-js, GC shown): for alternating A/B runs of two builds
// on the same data while tracing where a read's time goes.
//
//   node peers/child.mjs '{"system":"igniter","engine":"native","mode":"group","name":"x",
//     "phase":"load","dir":"<dir>"}' <dir>/load.json      (once: the 1M-fact store)
//   node --expose-gc peers/read-phases.mjs <dir> [<benchmarks/peers dir of the build to run>]
// Alternate two builds: for i in 1 2 3 4 5; do node .../read-phases.mjs <dir> <base>/peers;
// node .../read-phases.mjs <dir> <this>/peers; done
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const [dir, peersArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: node --expose-gc peers/read-phases.mjs <store dir> [<peers dir>]');
const peers = pathToFileURL(resolve(peersArg ?? import.meta.dirname)).href;
const { IgniterSystem } = await import(`${peers}/systems/igniter.mjs`);
const workload = await import(`${peers}/workload.mjs`);
const size = workload.sizes(false);
const sys = new IgniterSystem('native', 'group', dir);
sys.open();
sys.setNow(workload.readNow(size));
const keys = workload.latestReadKeys(size);
const asOfs = workload.asOfReads(size);
globalThis.gc?.();

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function phase(name, count, read) {
  const gcBefore = gcMs;
  const cpu = cpuUs();
  const wall = performance.now();
  let check = 0;
  for (let i = 0; i < count; i++) check += read(i);
  const cpuPer = (cpuUs() - cpu) / count;
  const wallPer = ((performance.now() - wall) * 1000) / count;
  await sleep(20); // GC entries arrive after the loop
  const gcPer = ((gcMs - gcBefore) * 1000) / count;
  console.log(
    `${name}: ${cpuPer.toFixed(3)} us cpu, ${wallPer.toFixed(3)} us wall, gc ${gcPer.toFixed(3)} us (check ${check})`,
  );
}

await phase('cold', keys.length, (i) => sys.latest(keys[i]).v);
await phase('warm', keys.length, (i) => sys.latest(keys[i]).v);
await phase('asof', asOfs.length, (i) => sys.asOf(asOfs[i].key, asOfs[i].asOf)?.v ?? 0);
await sys.close();
