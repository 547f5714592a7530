// What the strict-input check (an unknown field is ERR_INVALID_ARGUMENT, times are integer ms)
// costs a write. Measures, in one process, interleaved, best of ROUNDS:
//   - the check alone (checkInput over a write input and write's field list);
//   - a whole in-memory store.write on each engine;
//   - with --baseline=<dir>, the same writes through another build of @igniter/core (a checkout
//     of main before the check, built with `pnpm build`), so the two builds see the same load.
// Run: node benchmarks/strict-inputs.mjs [--baseline=/path/to/other/packages/core]   (after pnpm build)
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '@igniter/core';

const N = Number(process.env.WRITES ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const baselineDir = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
const baseline = baselineDir
  ? await import(pathToFileURL(join(baselineDir, 'dist', 'index.js')).href)
  : undefined;

// The same list write checks against (WriteInput's ten fields).
const WRITE_FIELDS = current.fieldsOf({
  store: true,
  key: true,
  value: true,
  schemaVersion: true,
  causation: true,
  validTime: true,
  producer: true,
  derivation: true,
  expect: true,
  idempotencyKey: true,
});

const inputs = Array.from({ length: N }, (_, i) => ({
  store: 'orders',
  key: `order-${i % 10_000}`,
  value: { status: i % 3 ? 'open' : 'paid', amount: i, customer: `c-${i % 500}` },
  validTime: 1_714_200_000_000 + i,
}));

/** ns per write of N writes into a fresh in-memory store of `core`. */
function writes(core, engine) {
  const store = new core.IgniterStore({ engine });
  const start = process.hrtime.bigint();
  for (const input of inputs) store.write(input);
  return Number(process.hrtime.bigint() - start) / N;
}

/** ns per check of the N write inputs. */
function checks() {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (const input of inputs) sink += current.checkInput(input, 'write', WRITE_FIELDS) === input ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - start) / N;
  if (sink !== N) throw new Error('the check returned another object');
  return ns;
}

const runs = { check: [], ts: [], native: [], baseTs: [], baseNative: [] };
const loadBefore = loadavg()[0];
for (let round = 0; round < ROUNDS; round++) {
  runs.check.push(checks());
  for (const engine of ['ts', 'native']) {
    // Alternate which build goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? ['current', 'base'] : ['base', 'current'];
    for (const build of order) {
      if (build === 'current') runs[engine].push(writes(current, engine));
      else if (baseline) runs[engine === 'ts' ? 'baseTs' : 'baseNative'].push(writes(baseline, engine));
    }
  }
}
const best = (list) => Math.min(...list);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const pct = (part, whole) => `${((100 * part) / whole).toFixed(2)}%`;
const load = `${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`;
console.log(`strict-input check vs write, ${N} in-memory writes, ${ROUNDS} interleaved rounds, load ${load}`);
console.log(`check alone          best ${best(runs.check).toFixed(1)} ns`);
for (const [engine, base] of [
  ['ts', 'baseTs'],
  ['native', 'baseNative'],
]) {
  const now = runs[engine];
  let line = `write, ${engine.padEnd(6)} engine  best ${best(now).toFixed(0)} ns, median ${median(now).toFixed(0)} ns (check = ${pct(best(runs.check), best(now))})`;
  if (baseline) {
    const then = runs[base];
    line += `; baseline best ${best(then).toFixed(0)} ns, median ${median(then).toFixed(0)} ns; best/best ${(best(now) / best(then)).toFixed(3)}, median/median ${(median(now) / median(then)).toFixed(3)}`;
  }
  console.log(line);
}
