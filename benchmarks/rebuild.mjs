// Rebuild rate of rules over 1M source facts (`store.rebuild`), per engine, each rule and engine in
// a fresh process. For every rule, registered after the facts were written: the rebuild's time and
// rate (source facts folded per second) and the longest the event loop waited while it ran (it
// works in slices of ~8 ms); then a second rebuild while one source fact is written per turn of
// the event loop (the live rule runs on each); against a fresh store replaying the same 1M writes
// with the rule registered, which is what a rebuild is defined to end equal to.
// Run: pnpm build && pnpm --filter igniter-benchmarks rebuild   (FACTS=n, ENGINES=ts,native)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const FACTS = Number(process.env.FACTS ?? 1_000_000);
const ENGINES = (process.env.ENGINES ?? 'native,ts').split(',');
const KEYS = 50_000;
const BATCH = 10_000;

/** Order i: 50k keys rewritten 20 times each, 5k customers, 100 regions, a third of them paid. */
function order(i) {
  const k = i % KEYS;
  return {
    store: 'orders',
    key: `o${k}`,
    value: {
      customer: `c${i % 5_000}`,
      region: `r${k % 100}`,
      status: i % 3 === 0 ? 'paid' : 'open',
      amount: i % 1_000,
    },
  };
}

const sumAmounts = (facts) => ({
  orders: facts.length,
  total: facts.reduce((s, f) => s + f.value.amount, 0),
});

/** The rules measured: name, how to register it, and whether a live replay of 1M writes is affordable. */
const RULES = [
  {
    name: 'paid-r7',
    what: 'derivation, fixed key, ~170 matching keys (folds inputs, runs once)',
    replay: true,
    register: (store) =>
      store.registerDerivation({
        name: 'paid-r7',
        sourceStore: 'orders',
        sourceFilters: { region: 'r7', status: 'paid' },
        targetStore: 'reports',
        targetKey: 'paid-r7',
        rule: sumAmounts,
      }),
  },
  {
    name: 'paid-all',
    what: 'derivation, fixed key, ~17k matching keys (folds inputs, runs once)',
    replay: false,
    register: (store) =>
      store.registerDerivation({
        name: 'paid-all',
        sourceStore: 'orders',
        sourceFilters: { status: 'paid' },
        targetStore: 'reports',
        targetKey: 'paid-all',
        rule: sumAmounts,
      }),
  },
  {
    name: 'r7-buckets',
    what: 'derivation, key a function, ~170 matching keys (runs at every change, as live)',
    replay: true,
    register: (store) =>
      store.registerDerivation({
        name: 'r7-buckets',
        sourceStore: 'orders',
        sourceFilters: { region: 'r7', status: 'paid' },
        targetStore: 'buckets',
        targetKey: (facts) => `n${facts.length % 10}`,
        rule: sumAmounts,
      }),
  },
  {
    name: 'spend',
    what: 'scatter by customer, 5k target keys (runs per fact)',
    replay: true,
    register: (store) =>
      store.registerScatter({
        name: 'spend',
        sourceStore: 'orders',
        partitionBy: 'customer',
        targetStore: 'spend',
        rule: (_customer, existing, fact) => ({ total: (existing?.total ?? 0) + fact.value.amount }),
      }),
  },
];

function load(store, count) {
  for (let from = 0; from < count; from += BATCH) {
    const inputs = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) inputs.push(order(i));
    store.writeMany(inputs);
  }
}

/** Starts watching the event loop's wait and the longest garbage-collection pause; `stop()` reads both. */
function watchLoop() {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let longestGcMs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGcMs = Math.max(longestGcMs, entry.duration);
  });
  gcs.observe({ entryTypes: ['gc'] });
  delay.enable();
  return {
    stop() {
      delay.disable();
      gcs.disconnect();
      return { p99DelayMs: delay.percentile(99) / 1e6, maxDelayMs: delay.max / 1e6, longestGcMs };
    },
  };
}

/**
 * The event loop's wait while a busy loop runs for two seconds in slices of 8 ms, as a rebuild
 * does: what this machine, shared with other work, adds to any sliced CPU-bound task.
 */
async function slicedBusyWait() {
  globalThis.gc?.();
  const watch = watchLoop();
  const end = performance.now() + 2_000;
  let spins = 0;
  await new Promise((resolve) => {
    const slice = () => {
      const deadline = performance.now() + 8;
      while (performance.now() < deadline) spins += 1;
      if (performance.now() < end) setImmediate(slice);
      else resolve(spins);
    };
    setImmediate(slice);
  });
  return watch.stop();
}

/**
 * Rebuilds `name`, writing one order per turn of the event loop meanwhile when `writing`; returns
 * the result, the time, the writes that went through, the event loop's wait and the longest
 * garbage-collection pause.
 */
async function timedRebuild(store, name, writing) {
  let settled = false;
  let writes = 0;
  const writer = () => {
    if (settled) return;
    store.write(order(FACTS + writes));
    writes += 1;
    setImmediate(writer);
  };
  // The load's garbage is collected first, so the pauses measured are the rebuild's own.
  globalThis.gc?.();
  const watch = watchLoop();
  const started = performance.now();
  const rebuild = store.rebuild(name).finally(() => {
    settled = true;
  });
  if (writing) setImmediate(writer);
  const result = await rebuild;
  const seconds = (performance.now() - started) / 1000;
  return { result, seconds, writes, ...watch.stop() };
}

/** The time to write the same facts into a fresh store with the rule live (extrapolated when `sample`). */
function liveReplay(IgniterStore, engine, rule, sample) {
  const store = new IgniterStore({ engine });
  rule.register(store);
  const started = performance.now();
  load(store, sample);
  return ((performance.now() - started) / 1000) * (FACTS / sample);
}

/** One rule on one engine, in its own process: load, register, rebuild, then the live replay. */
async function child(engine, name) {
  const { IgniterStore } = await import('@igniter/core');
  const rule = RULES.find((r) => r.name === name);
  let store = new IgniterStore({ engine });
  let started = performance.now();
  load(store, FACTS);
  const loadSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  rule.register(store);
  const registerSeconds = (performance.now() - started) / 1000;
  const sliced = await slicedBusyWait();
  const quiet = await timedRebuild(store, rule.name, false);
  const busy = await timedRebuild(store, rule.name, true);
  await store.close();
  store = undefined;
  const replaySeconds = liveReplay(IgniterStore, engine, rule, rule.replay ? FACTS : 2_000);
  process.stdout.write(
    JSON.stringify({
      loadSeconds,
      registerSeconds,
      sliced,
      quiet,
      busy,
      replaySeconds,
      replayExtrapolated: !rule.replay,
    }),
  );
}

function parent() {
  const self = fileURLToPath(import.meta.url);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`rebuild over ${FACTS.toLocaleString('en')} source facts; load average at start ${load()}`);
  for (const engine of ENGINES) {
    console.log(`\n${engine}:\n`);
    console.log(
      '| rule | load (no rule) | register | rebuild | source facts/s | written | loop wait p99 / max (sliced busy loop) | longest GC pause | rebuild under writes | writes meanwhile | loop wait p99 / max | fresh replay, rule live | replay / rebuild |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const rule of RULES) {
      const text = execFileSync(
        process.execPath,
        ['--max-old-space-size=8192', '--expose-gc', self, 'child', engine, rule.name],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      const { loadSeconds, registerSeconds, sliced, quiet, busy, replaySeconds, replayExtrapolated } =
        JSON.parse(text);
      const ms = (w) => `${w.p99DelayMs.toFixed(0)} / ${w.maxDelayMs.toFixed(0)} ms`;
      const rate = Math.round(quiet.result.sourceFacts / quiet.seconds).toLocaleString('en');
      const replay = `${replaySeconds.toFixed(1)} s${replayExtrapolated ? ' (extrapolated from 2,000 writes)' : ''}`;
      const cells = [
        `${rule.name}: ${rule.what}`,
        `${loadSeconds.toFixed(1)} s`,
        `${registerSeconds.toFixed(2)} s`,
        `${quiet.seconds.toFixed(2)} s`,
        rate,
        quiet.result.written,
        `${ms(quiet)} (${ms(sliced)})`,
        `${quiet.longestGcMs.toFixed(0)} ms`,
        `${busy.seconds.toFixed(2)} s`,
        busy.writes,
        ms(busy),
        replay,
        `${(replaySeconds / quiet.seconds).toFixed(1)}x`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
  console.log(`\nload average at end ${load()}`);
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4]);
else parent();
