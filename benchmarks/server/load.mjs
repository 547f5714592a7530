// Load test of @igniter/server over loopback: 64 connections (autocannon, in this process) against
// the server in a child process on a fresh file store, next to a no-op route of the same framework
// (Fastify, also a child) in the same run.
//   1. no-op GET on a bare Fastify server
//   2. durable writes: PUT of a new key each, answered after the shared flush (group commit), for
//      a request count calibrated to last the slice, so that no request is in flight when it ends
//      and the store can be checked against the acknowledged writes
//   3. reads: GET of a random written key
// plus, for context, the bare Fastify server answering a constant body of a read's size (what the
// HTTP path alone costs for those bytes, the load generator's parsing included), and the same
// writes to a server over an in-memory store, whose flush does no I/O (what the write route costs
// in CPU: the gap between it and the durable writes is the disk's).
// Each phase runs DURATION seconds in all, in ROUNDS slices that alternate with the others.
// Goals (issue #24): writes >= 50% and reads >= 70% of the no-op req/s, zero errors, and the store
// holding exactly the acknowledged writes afterwards.
// For each phase it also reports the serving process's CPU time per request (from /proc), which
// tells a route's own cost apart from waiting (a phase whose server is not busy all the time is
// bounded by latency, not by the route's CPU).
//   node benchmarks/server/load.mjs        (DURATION=seconds per phase, default 20; ROUNDS, default 10)
//   PROFILE=<dir> node benchmarks/server/load.mjs   also writes each server's CPU profile to <dir>
//   BASELINE=<index.js of another build of @igniter/server> node benchmarks/server/load.mjs
//     also runs the durable and in-memory writes against that build (see child.mjs), in the same
//     rounds as the rest, and checks its store too: an A/B of two builds on a shared machine
//   (summary: node benchmarks/peers/profile-summary.mjs <dir>); profiled figures are not comparable
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { cpuSeconds, load, loadAverage, startChild } from './harness.mjs';

const duration = Number(process.env.DURATION ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'igniter-load-'));
const path = join(dir, 'load.log');
const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
const json = { 'content-type': 'application/json' };
const rows = [];
console.log(
  `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model}), load average before: ${loadAverage()}`,
);

/** fdatasync latency of this disk (4 KiB appends): a durable write cannot be answered faster. */
function fsyncLatency(file) {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const ms = [];
  for (let i = 0; i < 200; i += 1) {
    writeSync(fd, block);
    const started = performance.now();
    fdatasyncSync(fd);
    ms.push(performance.now() - started);
  }
  closeSync(fd);
  ms.sort((a, b) => a - b);
  return { p50: ms[100], p90: ms[180] };
}
const fsync = fsyncLatency(join(dir, 'fsync.probe'));
console.log(
  `fdatasync of a 4 KiB append on this disk: p50 ${fsync.p50.toFixed(2)} ms, p90 ${fsync.p90.toFixed(2)} ms`,
);

const rounds = Number(process.env.ROUNDS ?? 10);
const slice = duration / rounds;
const profileDir = process.env.PROFILE;
const noop = await startChild(['fastify'], profileDir);
const server = await startChild(['igniter', path], profileDir);
const memory = await startChild(['igniter-memory'], profileDir);
const baselineEnv = { ...process.env, IGNITER_SERVER: process.env.BASELINE };
const baselinePath = join(dir, 'baseline.log');
const baseline = process.env.BASELINE
  ? {
      server: await startChild(['igniter', baselinePath], undefined, baselineEnv),
      memory: await startChild(['igniter-memory'], undefined, baselineEnv),
      sent: [],
    }
  : undefined;
let next = 0;
const sent = [];
/** PUTs of a new key each to `store` at `url`; each key is noted in `sentTo`, if given. */
function writes(store, options, url = server.url, sentTo = undefined) {
  return load({
    url,
    ...options,
    requests: [
      {
        method: 'PUT',
        headers: json,
        body,
        setupRequest: (request) => {
          const key = `k${next++}`;
          sentTo?.push(key);
          return { ...request, path: `/v1/stores/${store}/keys/${key}` };
        },
      },
    ],
  });
}
/**
 * GETs of `pathOf()` for one slice. Every GET phase builds its request in a setupRequest
 * callback, so that the load generator, which shares the machine, does the same work per request
 * in each of them (a static URL is cheaper for it: 10-15% more no-op requests/s here).
 */
function get(url, pathOf) {
  return load({
    url,
    duration: slice,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf() }) }],
  });
}
const reads = () =>
  get(server.url, () => `/v1/stores/bench/keys/${sent[Math.floor(Math.random() * sent.length)]}`);

// Warm-up, and the write rate that sizes each write slice (a request count, so that no write is
// in flight when a slice ends and the store can be checked against the acknowledged writes).
await load({ url: `${noop.url}/noop`, duration: 2 }); // warm-up
const calibration = await writes('calibration', { duration: 3 });
const perSlice = Math.max(500, Math.round(calibration.requests.average * slice));
// The phases alternate in slices, so that the shared machine's changing load falls on all three.
const phases = {
  noop: [],
  staticFact: [],
  writes: [],
  memoryWrites: [],
  reads: [],
  baselineWrites: [],
  baselineMemoryWrites: [],
};
/** Runs one slice of a phase against `child`, noting the CPU seconds the child used in it. */
async function run(phase, child, slice) {
  const before = cpuSeconds(child.pid);
  const generator = process.cpuUsage();
  const result = await slice();
  result.serverCpu = cpuSeconds(child.pid) - before;
  const used = process.cpuUsage(generator);
  result.generatorCpu = (used.user + used.system) / 1e6;
  phases[phase].push(result);
}
for (let round = 0; round < rounds; round += 1) {
  await run('noop', noop, () => get(noop.url, () => '/noop'));
  await run('staticFact', noop, () => get(noop.url, () => '/static-fact'));
  await run('writes', server, () => writes('bench', { amount: perSlice }, server.url, sent));
  await run('memoryWrites', memory, () => writes('memory', { duration: slice }, memory.url));
  await run('reads', server, reads);
  if (!baseline) continue;
  await run('baselineWrites', baseline.server, () =>
    writes('bench', { amount: perSlice }, baseline.server.url, baseline.sent),
  );
  await run('baselineMemoryWrites', baseline.memory, () =>
    writes('memory', { duration: slice }, baseline.memory.url),
  );
}
/** How group commit went: writes per flush (histogram) and the mean flush, from the server's metrics. */
async function groupCommit(url) {
  const metrics = await (await fetch(`${url}/v1/metrics`)).text();
  const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  const flushes = metric('igniter_flush_requests_count');
  const perFlush = metric('igniter_flush_requests_sum') / flushes;
  const flushMs = (metric('igniter_flush_duration_seconds_sum') / flushes) * 1000;
  const buckets = [...metrics.matchAll(/^igniter_flush_requests_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(
    (m) => `<=${m[1]}: ${m[2]}`,
  );
  return `${flushes} flushes, ${perFlush.toFixed(1)} writes per flush, mean flush ${flushMs.toFixed(1)} ms; writes per flush (cumulative): ${buckets.join(', ')}`;
}
const commits = await groupCommit(server.url);
const baselineCommits = baseline && (await groupCommit(baseline.server.url));
await server.stop();
await memory.stop();
await noop.stop();
await baseline?.server.stop();
await baseline?.memory.stop();

/** One phase over its slices: total requests over total time; the median slice p50, the worst slice p99. */
function combined(name, results) {
  const seconds = results.reduce((sum, r) => sum + r.duration, 0);
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  const p50s = results.map((r) => r.latency.p50).sort((a, b) => a - b);
  const cpu = results.reduce((sum, r) => sum + r.serverCpu, 0);
  const generator = results.reduce((sum, r) => sum + r.generatorCpu, 0);
  return {
    name,
    'req/s': Math.round(requests / seconds),
    'p50 ms': p50s[Math.floor(p50s.length / 2)],
    'p99 ms': Math.max(...results.map((r) => r.latency.p99)),
    // The serving process's CPU per answered request, and how busy it was (100% = one core).
    'server µs/req': Math.round((cpu / requests) * 1e6),
    'server busy %': Math.round((cpu / seconds) * 100),
    'autocannon µs/req': Math.round((generator / requests) * 1e6),
    requests,
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
    '2xx': results.reduce((sum, r) => sum + r['2xx'], 0),
  };
}
const noopRow = combined('Fastify no-op GET', phases.noop);
const writeRow = combined(`durable writes (PUT of a new key, ${rounds} x ${perSlice})`, phases.writes);
const staticRow = combined('Fastify GET of a constant fact-sized body', phases.staticFact);
const readRow = combined('reads (GET a written key)', phases.reads);
const memoryRow = combined('writes to an in-memory store (no I/O)', phases.memoryWrites);
rows.push(noopRow, staticRow, writeRow, memoryRow, readRow);
const baselineWriteRow = baseline && combined('durable writes, BASELINE build', phases.baselineWrites);
const baselineMemoryRow =
  baseline && combined('in-memory writes, BASELINE build', phases.baselineMemoryWrites);
if (baseline) rows.push(baselineWriteRow, baselineMemoryRow);
console.table(rows);
const ratio = (row) => ((row['req/s'] / noopRow['req/s']) * 100).toFixed(0);
console.log(`writes: ${ratio(writeRow)}% of the no-op req/s (goal >= 50%)`);
console.log(
  `  ceiling of 64 writers sharing one fdatasync per flush at its p50: ${Math.round((64 / fsync.p50) * 1000)} writes/s`,
);
console.log(`  the same writes without I/O (in-memory store): ${ratio(memoryRow)}% of the no-op req/s`);
console.log(`  group commit: ${commits}`);
console.log(`reads:  ${ratio(readRow)}% of the no-op req/s (goal >= 70%)`);
if (baseline) {
  console.log(
    `BASELINE build: writes ${ratio(baselineWriteRow)}% of the no-op req/s, in-memory writes ${ratio(baselineMemoryRow)}%`,
  );
  console.log(`  group commit: ${baselineCommits}`);
}

/** Whether the store at `file` holds exactly the `acknowledged` writes, all of them keys in `sentKeys`. */
async function holdsExactly(label, file, sentKeys, acknowledged) {
  const store = openFileStore(file);
  const keys = store.keys({ store: 'bench', limit: 10_000_000 });
  const bench = store.stores().find((entry) => entry.store === 'bench');
  const exact =
    bench?.factCount === acknowledged &&
    keys.length === acknowledged &&
    keys.every((key) => sentKeys.has(key));
  console.log(
    `${label} after the run: ${bench?.factCount ?? 0} facts in 'bench', ${acknowledged} writes acknowledged (201): ${exact ? 'exactly the acknowledged writes' : 'MISMATCH'}`,
  );
  await store.close();
  return exact;
}
let exact = await holdsExactly('store', path, new Set(sent), writeRow['2xx']);
if (baseline) {
  exact =
    (await holdsExactly('BASELINE store', baselinePath, new Set(baseline.sent), baselineWriteRow['2xx'])) &&
    exact;
}
rmSync(dir, { recursive: true, force: true });
console.log(`load average after: ${loadAverage()}`);
if (!exact || rows.some((row) => row.errors > 0)) process.exitCode = 1;
