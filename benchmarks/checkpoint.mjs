// checkpoint() of a 1M-fact file store and the open that follows it (issue 23 goals:
// checkpoint <= 1 s wall with no event-loop pause over 50 ms; open of a checkpointed store
// <= 50 ms plus the WAL tail; resident memory per fact after a native open <= 300 bytes).
// Each step runs in a fresh process on a copy of the open-time log (run open-time first, or
// this generates it the same way). Two ways of checkpointing alternate in the same minutes:
// `before`, the synchronous path checkpoint() took until issue 23 (every fact built in JS and
// encoded again: `backend.writeSnapshot(store.factLogAll(), ...)`, still the backend's
// compaction path), and `after`, `await store.checkpoint().flush()` (the stored frames copied on the
// libuv pool). While it runs, a 1 ms interval times the event loop's gaps and writes one fact
// per tick, to show the store keeps serving.
// The checkpointed store's open maps the checkpoint image the checkpoint wrote (native engine;
// the reopen prints whether it was used).
// BASELINE=<benchmarks dir of another built checkout> runs every step with that checkout's
// packages too, alternating, on the same files (e.g. MODES=after BASELINE=/work/wt/base/benchmarks).
// Run: pnpm build && pnpm --filter igniter-benchmarks checkpoint   (FACTS=n, RUNS=n, MODES=after)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@igniter/backend-file';
import { openTimeInputs } from './open-time-facts.mjs';

const FACTS = Number(process.env.FACTS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const MODES = (process.env.MODES ?? 'before,after').split(',');
const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'out', `open-time-${FACTS}`, 'app.log');
const out = join(here, 'out', `checkpoint-${FACTS}`);
const logPath = join(out, 'app.log');

if (!existsSync(source)) {
  mkdirSync(dirname(source), { recursive: true });
  const store = openFileStore(source, {
    engine: 'ts',
    groupCommitMs: 1000,
    groupCommitBytes: 64 * 1024 * 1024,
  });
  for (let from = 0; from < FACTS; from += 10_000)
    store.writeMany(openTimeInputs(from, Math.min(FACTS, from + 10_000)));
  await store.close();
}

const BUILDS = process.env.BASELINE ? ['this', 'base'] : ['this'];

/**
 * Runs `body` (an async function body) in a fresh process with `engine`, importing the packages
 * of `build` ('base': the BASELINE checkout's), and returns what it prints.
 */
function run(engine, body, build = 'this') {
  const script = `
    const { openFileStore, FileBackend } = await import('@igniter/backend-file');
    const { IgniterStore } = await import('@igniter/core');
    ${body}
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: build === 'base' ? process.env.BASELINE : here,
    env: { ...process.env, IGNITER_ENGINE: engine },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(stdout);
}

/** Opens a copy of the log, checkpoints it (timing the call and the event loop), closes. */
function checkpointOnce(engine, mode, build) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  copyFileSync(source, logPath);
  return run(
    engine,
    `
    const t0 = performance.now();
    const backend = new FileBackend(${JSON.stringify(logPath)}, { engine: ${JSON.stringify(engine)} });
    const store = new IgniterStore({ engine: ${JSON.stringify(engine)}, backend });
    const openMs = performance.now() - t0;
    let writing = false;
    let writesDuring = 0;
    // The longest gap between ticks of a 1 ms timer while checkpoint() runs: how long the
    // event loop could not run anything else.
    let last = performance.now();
    let maxPauseMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxPauseMs = Math.max(maxPauseMs, now - last);
      last = now;
      if (writing) {
        store.write({ store: 'during', key: 'k' + (writesDuring % 100), value: { n: writesDuring } });
        writesDuring += 1;
      }
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    maxPauseMs = 0;
    writing = true;
    const t1 = performance.now();
    if (${JSON.stringify(mode)} === 'before') backend.writeSnapshot(store.factLogAll(), { lastSeq: store.lastSeq() });
    else await store.checkpoint().flush();
    const checkpointMs = performance.now() - t1;
    writing = false;
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(timer);
    // A second checkpoint after 10k more writes: with a checkpoint image in place, its image is
    // built from the first one plus the log.
    let checkpoint2Ms = 0;
    if (${JSON.stringify(mode)} === 'after') {
      for (let i = 0; i < 10_000; i++) store.write({ store: 'second', key: 'k' + (i % 1000), value: { i } });
      const t3 = performance.now();
      await store.checkpoint().flush();
      checkpoint2Ms = performance.now() - t3;
    }
    const t2 = performance.now();
    await store.close();
    const imageMs = performance.now() - t2;
    console.log(JSON.stringify({ openMs, checkpointMs, maxPauseMs, writesDuring, imageMs, checkpoint2Ms }));
  `,
    build,
  );
}

/** Opens the checkpointed store (snapshot plus an empty log) and reads a few keys. */
function reopenOnce(engine, build) {
  return run(
    engine,
    `
    const t0 = performance.now();
    const backend = new FileBackend(${JSON.stringify(logPath)}, { engine: ${JSON.stringify(engine)} });
    const store = new IgniterStore({ engine: ${JSON.stringify(engine)}, backend });
    const openMs = performance.now() - t0;
    const image = backend.recoveryReport().checkpointImage ?? null;
    const facts = store.factCount();
    const rss = process.memoryUsage().rss;
    const t1 = performance.now();
    for (let i = 0; i < 10_000; i++) store.read({ store: ['orders', 'customers', 'events'][i % 3], key: 'key-' + i });
    const firstReadsPerS = 10_000 / ((performance.now() - t1) / 1000);
    await store.close();
    console.log(JSON.stringify({ openMs, facts, rssBytesPerFact: rss / facts, firstReadsPerS, image }));
  `,
    build,
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;
console.log(
  `${FACTS} facts; node ${process.version}; median of ${RUNS} fresh processes; load average ${loadavg()[0].toFixed(1)}`,
);
const best = (values) => Math.min(...values);
for (const engine of (process.env.ENGINES ?? 'native,ts').split(',')) {
  const variants = MODES.flatMap((mode) => BUILDS.map((build) => `${mode}/${build}`));
  const checkpoints = Object.fromEntries(variants.map((variant) => [variant, []]));
  const reopens = Object.fromEntries(variants.map((variant) => [variant, []]));
  // Alternating, so that both modes (and builds) see the same machine minute by minute.
  for (let i = 0; i < RUNS; i++) {
    for (const variant of variants) {
      const [mode, build] = variant.split('/');
      checkpoints[variant].push(checkpointOnce(engine, mode, build));
      reopens[variant].push(reopenOnce(engine, build));
    }
  }
  for (const mode of variants) {
    const m = (list, field) => median(list.map((r) => r[field]));
    const b = (list, field) => best(list.map((r) => r[field]));
    const c = checkpoints[mode];
    const r = reopens[mode];
    console.log(
      `${engine.padEnd(6)} ${mode.padEnd(11)} open of the log ${ms(m(c, 'openMs'))}; checkpoint ${ms(m(c, 'checkpointMs'))} (best ${ms(b(c, 'checkpointMs'))}), longest event-loop gap ${ms(m(c, 'maxPauseMs'))} (best ${ms(b(c, 'maxPauseMs'))}), ${Math.round(m(c, 'writesDuring'))} writes served during it, second checkpoint ${ms(m(c, 'checkpoint2Ms'))}, close ${ms(m(c, 'imageMs'))}; open of the checkpointed store ${ms(m(r, 'openMs'))} (best ${ms(b(r, 'openMs'))}), image ${JSON.stringify(r.at(-1)?.image ?? null)}, RSS ${Math.round(m(r, 'rssBytesPerFact'))} B/fact, first reads ${Math.round(m(r, 'firstReadsPerS')).toLocaleString('en-US')}/s`,
    );
  }
}
