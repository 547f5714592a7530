// One system/variant/phase in its own process: `node child.mjs '<job json>' <result file>`.
// Phases: 'single' (one write call per fact, then durable), 'memory' (load and read in one
// in-memory store), 'load' (durable writes in batches, then close),
// 'read' (open the loaded store, then the read workload), 'sync' (writes each made durable alone).
// With `job.profileDir`, each timed section is CPU-profiled on its own (node:inspector).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  asOfReads,
  factBatches,
  historyKeys,
  latestReadKeys,
  queryRoundWrites,
  readNow,
  sizes,
  ttOf,
} from './workload.mjs';

const ROUNDS = 5;

const job = JSON.parse(process.argv[2]);
const resultFile = process.argv[3];
const size = sizes(job.quick);
const result = { job, figures: {}, checks: {}, memory: {} };

async function createSystem() {
  if (job.system === 'igniter') {
    const { IgniterSystem } = await import('./systems/igniter.mjs');
    return new IgniterSystem(job.engine, job.mode, job.dir);
  }
  if (job.system === 'lmdb') {
    const { LmdbSystem } = await import('./systems/lmdb.mjs');
    return new LmdbSystem(job.mode, job.dir);
  }
  const { SqliteSystem } = await import('./systems/sqlite.mjs');
  return new SqliteSystem(job.mode, job.dir);
}

// ---------------------------------------------------------------- measuring

let session;

/** Posts to the inspector; a same-thread session answers synchronously. */
function inspect(method, params) {
  let answer;
  session.post(method, params, (error, value) => {
    if (error) throw error;
    answer = value;
  });
  return answer;
}

function profileStart() {
  if (!job.profileDir) return;
  if (!session) {
    session = new Session();
    session.connect();
    inspect('Profiler.enable');
    inspect('Profiler.setSamplingInterval', { interval: 200 });
  }
  inspect('Profiler.start');
}

function profileStop(section) {
  if (!job.profileDir) return;
  const { profile } = inspect('Profiler.stop');
  const name = `${job.name}-${job.mode}-${section}.cpuprofile`;
  writeFileSync(join(job.profileDir, name), JSON.stringify(profile));
}

/** Wall time, and CPU time of every thread of the process (a loaded machine shows in the gap). */
function clock() {
  const cpu = process.cpuUsage();
  return { wall: performance.now(), cpu: (cpu.user + cpu.system) / 1000 };
}

function since(start, ops) {
  const now = clock();
  return { ops, ms: now.wall - start.wall, cpuMs: now.cpu - start.cpu };
}

/**
 * Runs `each` over `items` in ROUNDS equal rounds (the rounds of a cold pass read distinct keys,
 * so every one is cold) and keeps the median round's rate: a burst of load from other processes
 * on this shared machine then moves the figure less. `each` returns a number to add to a checksum.
 */
function rounds(section, items, each) {
  const per = Math.ceil(items.length / ROUNDS);
  const all = clock();
  const rates = [];
  let check = 0;
  profileStart();
  for (let r = 0; r < ROUNDS; r++) {
    const start = clock();
    const end = Math.min(items.length, (r + 1) * per);
    for (let i = r * per; i < end; i++) check += each(items[i]);
    const spent = since(start, end - r * per);
    rates.push((spent.ops / spent.ms) * 1000);
  }
  profileStop(section);
  const total = since(all, items.length);
  const median = [...rates].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  result.figures[section] = { ...total, rate: median, rates };
  result.checks[section] = check;
}

function once(section, run) {
  profileStart();
  const start = clock();
  const check = run();
  result.figures[section] = since(start, 1);
  profileStop(section);
  if (check !== undefined) result.checks[section] = check;
}

function snapshotMemory(label) {
  globalThis.gc?.();
  const m = process.memoryUsage();
  result.memory[label] = { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

function diskBytes(dir) {
  let bytes = 0;
  for (const name of readdirSync(dir)) bytes += statSync(join(dir, name)).blocks * 512;
  return bytes;
}

// ---------------------------------------------------------------- phases

/** Batches of 1000, yielding to the event loop between batches as a server would. */
async function load(sys) {
  profileStart();
  const start = clock();
  for (const batch of factBatches(size)) {
    const pending = sys.writeBatch(batch, ttOf(batch[0].i));
    if (pending) await pending;
    await yieldToLoop();
  }
  await sys.settle();
  result.figures.writes = since(start, size.facts);
  profileStop('writes');
  result.checks.factCount = sys.factCount();
}

/**
 * The way most users write: one write call per fact (Igniter `write`, lmdb-js async puts; SQLite
 * keeps its transactions of 1000), yielding to the event loop every 1000 facts, then durable.
 */
async function singleWrites(sys) {
  profileStart();
  const start = clock();
  for (const batch of factBatches(size)) {
    const pending = sys.writeSingles(batch, ttOf(batch[0].i));
    if (pending) await pending;
    await yieldToLoop();
  }
  await sys.settle();
  result.figures.singleWrites = since(start, size.facts);
  profileStop('singleWrites');
  result.checks.factCount = sys.factCount();
}

/** The latency of each write made durable alone: median, 99th percentile and maximum (ms). */
function latencies(ms) {
  const sorted = Float64Array.from(ms).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

async function syncWrites(sys) {
  const facts = [];
  for (const batch of factBatches(size, size.syncWrites)) facts.push(...batch);
  const each = new Float64Array(facts.length);
  profileStart();
  const start = clock();
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    const t = performance.now();
    sys.writeDurable(f, ttOf(f.i));
    each[i] = performance.now() - t;
  }
  result.figures.syncWrites = since(start, facts.length);
  profileStop('syncWrites');
  result.figures.syncLatency = latencies(each);
  result.checks.factCount = sys.factCount();
}

function readWorkload(sys) {
  const now = readNow(size);
  sys.setNow(now);
  const keys = latestReadKeys(size);
  rounds('latestCold', keys, (key) => sys.latest(key).v);
  rounds('latestWarm', keys, (key) => sys.latest(key).v);
  rounds('asOf', asOfReads(size), ({ key, asOf }) => sys.asOf(key, asOf)?.v ?? 0);
  rounds('history', historyKeys(size), (key) => {
    let sum = 0;
    for (const f of sys.history(key)) sum += f.value.v;
    return sum;
  });
  // An A/B of reads (ab.mjs) reads the same loaded store again and again: no writes.
  if (job.readsOnly) return;
  const querySum = (facts) => `${facts.length}/${facts.reduce((s, f) => s + f.value.v, 0)}`;
  once('queryFirst', () => querySum(sys.query()));
  let ms = 0;
  let cpuMs = 0;
  let last = '';
  profileStart();
  for (const [j, w] of queryRoundWrites(size).entries()) {
    sys.writeOne(w.key, w.value, now + 1 + j);
    const start = clock();
    last = querySum(sys.query());
    const spent = since(start, 1);
    ms += spent.ms;
    cpuMs += spent.cpuMs;
  }
  profileStop('queryAfterWrite');
  result.figures.queryAfterWrite = { ops: size.queryRounds, ms, cpuMs };
  result.checks.queryAfterWrite = last;
}

const sys = await createSystem();
if (job.phase === 'read') {
  once('open', () => sys.open());
} else {
  sys.open();
}
result.describe = sys.describe();
if (job.phase === 'sync') {
  await syncWrites(sys);
} else if (job.phase === 'single') {
  await singleWrites(sys);
  snapshotMemory('afterLoad');
} else if (job.phase === 'load') {
  await load(sys);
  snapshotMemory('afterLoad');
} else if (job.phase === 'memory') {
  await load(sys);
  snapshotMemory('afterLoad');
  readWorkload(sys);
  snapshotMemory('afterReads');
} else {
  snapshotMemory('afterOpen');
  readWorkload(sys);
  snapshotMemory('afterReads');
}
await sys.close();
if (job.phase === 'load' || job.phase === 'sync' || job.phase === 'single')
  result.diskBytes = diskBytes(job.dir);
result.peakRss = process.resourceUsage().maxRSS * 1024;
writeFileSync(resultFile, JSON.stringify(result));
