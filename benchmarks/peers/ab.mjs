// A/B of Igniter's read path against another build, with lmdb-js in the same rounds: loads the
// workload once (this build's Igniter, native engine, file backend; lmdb-js), then runs the read
// phase (open, then each key once, same keys again, as-of reads, history) in fresh processes,
// alternating baseline, this build and lmdb-js, RUNS rounds, on the same data (no writes). A
// machine shared with other work then slows both builds alike, and each ratio against lmdb-js
// is taken within one round.
//
//   node peers/ab.mjs --baseline=<benchmarks dir of another checkout> [--quick] [--runs=5]
//                     [--single]  (also an alternating A/B of the one-write-per-fact phase)
//                     [--only-single]  (that A/B alone: for a baseline whose format the reads
//                     phase cannot share, e.g. before the log's format version 2)
// The baseline directory is another checkout's `benchmarks` folder, built (its peers/child.mjs
// runs with its own node_modules, so with its build of @igniter/core and @igniter/native).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const baselineArg = option('baseline');
if (!baselineArg)
  throw new Error('usage: node peers/ab.mjs --baseline=<benchmarks dir> [--quick] [--runs=N]');
const baseline = join(resolve(baselineArg), 'peers');
const quick = args.includes('--quick');
const runs = Number(option('runs') ?? 5);
const onlySingle = args.includes('--only-single');
const single = onlySingle || args.includes('--single');

function runChild(peersDir, job, root) {
  const resultFile = join(root, 'result.json');
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=8192',
      join(peersDir, 'child.mjs'),
      JSON.stringify(job),
      resultFile,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (child.status !== 0)
    throw new Error(`${job.name} ${job.phase} failed (${child.status ?? child.signal})`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  rmSync(resultFile, { force: true });
  return result;
}

const SIDES = [
  { label: 'baseline', peers: baseline },
  { label: 'this', peers: here },
];
const FIGURES = [
  ['latestCold', 'latest reads, each key once (reads/s)'],
  ['latestWarm', 'latest reads, same keys again (reads/s)'],
  ['asOf', 'as-of reads (reads/s)'],
  ['history', 'history of a key (keys/s)'],
];
const rate = (f) => f.rate ?? (f.ops / f.ms) * 1000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

const root = mkdtempSync(join(os.tmpdir(), 'igniter-ab-'));
const igniterDir = join(root, 'igniter');
const lmdbDir = join(root, 'lmdb');
const common = { quick, system: 'igniter', engine: 'native', mode: 'group', name: 'igniter-native-file' };
const lmdbJob = { quick, system: 'lmdb', mode: 'async', name: 'lmdb', dir: lmdbDir };
console.log(
  `ab: ${quick ? 'quick' : 'full'} workload, ${runs} rounds, baseline ${baseline}; ${os.cpus().length} cores, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const started = new Date().toISOString();
try {
  mkdirSync(igniterDir);
  mkdirSync(lmdbDir);
  if (single) {
    const rates = { baseline: [], this: [] };
    const cpuUs = { baseline: [], this: [] };
    for (let r = 0; r < runs; r++) {
      for (const side of SIDES) {
        const dir = join(root, `single-${side.label}`);
        mkdirSync(dir, { recursive: true });
        const out = runChild(side.peers, { ...common, phase: 'single', dir }, root);
        rmSync(dir, { recursive: true, force: true });
        const figure = out.figures.singleWrites;
        rates[side.label].push(rate(figure));
        cpuUs[side.label].push((figure.cpuMs * 1000) / figure.ops);
        console.log(
          `  single ${side.label} round ${r + 1}: ${fmt(rate(figure))} facts/s, ${((figure.cpuMs * 1000) / figure.ops).toFixed(2)} us CPU per write`,
        );
      }
    }
    for (const side of SIDES)
      console.log(
        `one write per fact, ${side.label}: median ${fmt(median(rates[side.label]))}, best ${fmt(Math.max(...rates[side.label]))} facts/s; CPU per write median ${median(cpuUs[side.label]).toFixed(2)} us, best ${Math.min(...cpuUs[side.label]).toFixed(2)} us`,
      );
    if (onlySingle) {
      rmSync(root, { recursive: true, force: true });
      process.exit(0);
    }
  }
  runChild(here, { ...common, phase: 'load', dir: igniterDir }, root);
  runChild(here, { ...lmdbJob, phase: 'load' }, root);
  const rows = { baseline: [], this: [], lmdb: [] };
  for (let r = 0; r < runs; r++) {
    for (const side of SIDES)
      rows[side.label].push(
        runChild(side.peers, { ...common, phase: 'read', dir: igniterDir, readsOnly: true }, root),
      );
    rows.lmdb.push(runChild(here, { ...lmdbJob, phase: 'read', readsOnly: true }, root));
    console.log(`  round ${r + 1} of ${runs} done, load ${os.loadavg()[0].toFixed(2)}`);
  }
  console.log(
    `\nA/B from ${started} to ${new Date().toISOString()}, load after ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '| figure | baseline, median (best) | this, median (best) | this / baseline | baseline / lmdb-js | this / lmdb-js | lmdb-js, median |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [id, label] of FIGURES) {
    const of = (side) => rows[side].map((out) => rate(out.figures[id]));
    const perRound = (side) =>
      rows[side].map((out, i) => rate(out.figures[id]) / rate(rows.lmdb[i].figures[id]));
    const [b, t, l] = [of('baseline'), of('this'), of('lmdb')];
    console.log(
      `| ${label} | ${fmt(median(b))} (${fmt(Math.max(...b))}) | ${fmt(median(t))} (${fmt(Math.max(...t))}) | ${(median(t) / median(b)).toFixed(2)}x | ${median(perRound('baseline')).toFixed(2)}x | ${median(perRound('this')).toFixed(2)}x | ${fmt(median(l))} |`,
    );
  }
  // CPU time per operation (every thread of the process): what other processes' load moves least.
  console.log(
    '\n| CPU time per operation (us), median | baseline | this | this / baseline | baseline / lmdb-js | this / lmdb-js | lmdb-js |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [id, label] of FIGURES) {
    const cpu = (side) =>
      median(rows[side].map((out) => (out.figures[id].cpuMs * 1000) / out.figures[id].ops));
    const [b, t, l] = [cpu('baseline'), cpu('this'), cpu('lmdb')];
    console.log(
      `| ${label.replace(/ \(.*\)$/, '')} | ${b.toFixed(2)} | ${t.toFixed(2)} | ${(b / t).toFixed(2)}x faster | ${(l / b).toFixed(2)}x | ${(l / t).toFixed(2)}x | ${l.toFixed(2)} |`,
    );
  }
  const open = (side) => median(rows[side].map((out) => out.figures.open.ms));
  const rss = (side) => median(rows[side].map((out) => out.memory.afterOpen.rss));
  console.log(
    `| open (ms) | ${open('baseline').toFixed(0)} | ${open('this').toFixed(0)} | | | | ${open('lmdb').toFixed(1)} |`,
  );
  console.log(
    `| RSS after open (MiB) | ${mib(rss('baseline'))} | ${mib(rss('this'))} | | | | ${mib(rss('lmdb'))} |`,
  );
  // Both builds must give the same answers (checksums of every read section).
  const checks = (out) => JSON.stringify(out.checks);
  const differ = rows.this.some((out, i) => checks(out) !== checks(rows.baseline[i]));
  console.log(
    differ ? 'ANSWERS DIFFER between the builds' : 'Both builds gave the same answers in every round.',
  );
  if (differ) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
