// Durable one-`write`-per-fact against in-memory writes, native engine (issue 23's goal: the
// file store with `durability: 'group'` at >= 80% of the in-memory rate), with the CPU split by
// thread, so the file-only cost of a write can be read on a machine other work shares.
//
//   node benchmarks/write-ratio.mjs [--rounds=5] [--facts=300000]
//                                   [--baseline=<benchmarks dir of another checkout, built>]
//
// Each round runs, each in a fresh process and alternating, the file store then the in-memory
// store (and with --baseline the same two against that build, in the same round): bench:peers'
// workload and store setup (`peers/systems/igniter.mjs` of the build measured: one registered
// scope, ~105-byte values, one `write` per fact, a yield to the event loop every 1000 facts,
// then `flush()`), except that the facts are generated before the clock starts (bench:peers
// generates them inside its timed phase, which dilutes the file/memory difference).
// Per store and round: wall rate (facts/s), and CPU time per write (µs) of the whole process
// (`process.cpuUsage`: every thread), of the JS thread and of the crate's `igniter-wal` writer
// thread (`/proc/self/task/<tid>/schedstat`, ns on CPU). Printed: every round, then the median
// of each figure and the file/memory ratios of the medians (wall rate and process CPU).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** ns on CPU of each thread of this process, by thread name (the JS thread as 'main'). */
function threadCpu() {
  const out = { main: 0, wal: 0 };
  for (const tid of readdirSync('/proc/self/task')) {
    let ns;
    let comm;
    try {
      ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // the thread ended meanwhile
    }
    if (Number(tid) === process.pid) out.main += ns;
    else if (comm === 'igniter-wal') out.wal += ns;
  }
  return out;
}

async function child(job) {
  const peers = join(job.benchmarks, 'peers');
  const { IgniterSystem } = await import(pathToFileURL(join(peers, 'systems/igniter.mjs')).href);
  const { factBatches, sizes, ttOf } = await import(pathToFileURL(join(peers, 'workload.mjs')).href);
  const batches = [...factBatches(sizes(false), job.facts)];
  const sys = new IgniterSystem('native', job.mode, job.dir);
  sys.open();
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu();
  const wall0 = performance.now();
  for (const batch of batches) {
    sys.writeSingles(batch, ttOf(batch[0].i));
    await yieldToLoop();
  }
  await sys.settle();
  const wall = performance.now() - wall0;
  const threads = threadCpu();
  const cpu = process.cpuUsage(cpu0);
  const count = sys.factCount();
  await sys.close();
  return {
    rate: (job.facts / wall) * 1000,
    cpu: (cpu.user + cpu.system) / job.facts,
    main: (threads.main - threads0.main) / 1000 / job.facts,
    wal: (threads.wal - threads0.wal) / 1000 / job.facts,
    count,
  };
}

function runChild(job) {
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=8192',
      fileURLToPath(import.meta.url),
      `--child=${JSON.stringify(job)}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`${job.label} ${job.mode} failed (${run.status ?? run.signal})`);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1));
  if (out.count !== job.facts)
    throw new Error(`${job.label} ${job.mode}: ${out.count} facts, expected ${job.facts}`);
  return out;
}

const childJob = option('child');
if (childJob) {
  console.log(JSON.stringify(await child(JSON.parse(childJob))));
  process.exit(0);
}

const rounds = Number(option('rounds') ?? 5);
const facts = Number(option('facts') ?? 300_000);
const baseline = option('baseline');
const builds = [{ label: 'this', benchmarks: here }];
if (baseline) builds.unshift({ label: 'baseline', benchmarks: resolve(baseline) });
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `write-ratio: ${facts} facts, ${rounds} rounds, ${builds.map((b) => `${b.label} ${b.benchmarks}`).join(', ')}; ${os.cpus().length} cores, Node ${process.version}, load ${load()}, ${new Date().toISOString()}`,
);
const FIELDS = ['rate', 'cpu', 'main', 'wal'];
const results = {};
const root = mkdtempSync(join(os.tmpdir(), 'igniter-write-ratio-'));
const fmt = (out) =>
  `${Math.round(out.rate).toLocaleString('en-US').padStart(8)} facts/s, CPU/write ${out.cpu.toFixed(2)} µs (JS thread ${out.main.toFixed(2)}, igniter-wal ${out.wal.toFixed(2)})`;
try {
  for (let r = 0; r < rounds; r++) {
    for (const build of builds) {
      for (const mode of ['group', 'memory']) {
        const dir = mkdtempSync(join(root, `${build.label}-${mode}-`));
        const out = runChild({ label: build.label, benchmarks: build.benchmarks, mode, dir, facts });
        rmSync(dir, { recursive: true, force: true });
        const key = `${build.label} ${mode === 'group' ? 'file' : 'memory'}`;
        results[key] ??= [];
        results[key].push(out);
        console.log(`round ${r + 1} ${key.padEnd(15)} ${fmt(out)}`);
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = {};
console.log(`\nmedians of ${rounds} rounds (load ${load()}):`);
for (const [key, outs] of Object.entries(results)) {
  medians[key] = Object.fromEntries(FIELDS.map((f) => [f, median(outs.map((o) => o[f]))]));
  console.log(`  ${key.padEnd(15)} ${fmt(medians[key])}`);
}
for (const build of builds) {
  const file = medians[`${build.label} file`];
  const memory = medians[`${build.label} memory`];
  const perRound = results[`${build.label} file`].map((f, i) => {
    const m = results[`${build.label} memory`][i];
    return `${(f.rate / m.rate).toFixed(2)}/${(m.cpu / f.cpu).toFixed(2)}`;
  });
  console.log(
    `  ${build.label}: file/memory ${(file.rate / memory.rate).toFixed(2)}x by wall rate, ${(memory.cpu / file.cpu).toFixed(2)}x by CPU per write; file-only CPU ${(file.cpu - memory.cpu).toFixed(2)} µs/write (JS thread ${(file.main - memory.main).toFixed(2)}, igniter-wal ${file.wal.toFixed(2)}); per round wall/CPU: ${perRound.join(' ')}`,
  );
}
