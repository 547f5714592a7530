// CPU time of decoding one stored value of the peers workload (its own values: flat object, 7
// members), hot: core's `decodeJson` as the native engine calls it for a read, on 100k
// distinct texts, best of 30 passes. Finer than read-phases.mjs (which cannot resolve the
// ~20 ns a decoder change moves): for alternating A/B runs of two builds.
//
//   node benchmarks/peers/decode-values.mjs <checkout root of a built build>
// Alternate two builds: for i in 1 2 3; do node .../decode-values.mjs <base>;
// node .../decode-values.mjs <this>; done
//
// `decodeJson` is internal to @igniter/core: it is taken from the dist chunk that defines it.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { orderValue, prng, SEED } from './workload.mjs';

const root = resolve(process.argv[2] ?? `${import.meta.dirname}/../..`);
const dist = `${root}/packages/core/dist`;
const chunk = readdirSync(dist).find(
  (f) => f.endsWith('.js') && readFileSync(`${dist}/${f}`, 'utf8').includes('function decodeJson('),
);
if (chunk === undefined) throw new Error(`no chunk of ${dist} defines decodeJson`);
const { decodeJson } = await import(pathToFileURL(`${dist}/${chunk}`).href);

const rand = prng(SEED);
const texts = Array.from({ length: 100_000 }, (_, i) => {
  const r = rand();
  const n = rand();
  return JSON.stringify(orderValue(r, n, i % 10));
});
let best = Number.POSITIVE_INFINITY;
let check = 0;
for (let pass = 0; pass < 30; pass++) {
  const before = process.cpuUsage();
  for (const text of texts) check += decodeJson(text).qty;
  const { user, system } = process.cpuUsage(before);
  best = Math.min(best, (user + system) / texts.length);
}
console.log(`${root}: decode ${(best * 1000).toFixed(0)} ns per value (best of 30; check ${check})`);
