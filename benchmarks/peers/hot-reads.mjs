// CPU time of a read that crosses to the native log and decodes, with every cache line hot:
// 1000 keys of a store loaded before, read with `ttl: 0` and a clock that moves, so each read
// misses the read cache, crosses and decodes its value; best of 300 passes. Finer than
// read-phases.mjs (whose first reads are ~40% memory misses): for alternating A/B runs of two
// builds on a change to the crossing or the decode.
//
//   node peers/child.mjs '{"system":"igniter","engine":"native","mode":"group","name":"x",
//     "phase":"load","dir":"<dir>"}' <dir>/load.json      (once: the 1M-fact store)
//   node peers/hot-reads.mjs <dir> [<benchmarks/peers dir of the build to run>]
// Alternate two builds: for i in 1 2 3; do node .../hot-reads.mjs <dir> <base>/peers;
// node .../hot-reads.mjs <dir> <this>/peers; done
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, peersArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: node peers/hot-reads.mjs <store dir> [<peers dir>]');
const peers = pathToFileURL(resolve(peersArg ?? import.meta.dirname)).href;
const { IgniterSystem } = await import(`${peers}/systems/igniter.mjs`);
const workload = await import(`${peers}/workload.mjs`);
const size = workload.sizes(false);
const sys = new IgniterSystem('native', 'group', dir);
sys.open();
const keys = workload.latestReadKeys(size).slice(0, 1000);
let now = workload.readNow(size);
let best = Number.POSITIVE_INFINITY;
let check = 0;
for (let pass = 0; pass < 300; pass++) {
  const before = process.cpuUsage();
  for (const key of keys) {
    sys.setNow(++now);
    check += sys.store.read({ store: workload.STORE, key, ttl: 0 }).v;
  }
  const { user, system } = process.cpuUsage(before);
  best = Math.min(best, (user + system) / keys.length);
}
console.log(
  `${peersArg ?? '.'}: ${(best * 1000).toFixed(0)} ns CPU per crossing read (best of 300; check ${check})`,
);
await sys.close();
