// Per-thread CPU of a served store under PUTs: where the durable write's extra CPU goes
// (the event loop, the native writer's thread, libuv's pool), against an in-memory server.
//   node benchmarks/server/thread-cost.mjs     (SECONDS per slice, default 4; ROUNDS, default 3)
// With BASELINE=<index.js of another build of @igniter/server> (see child.mjs), the same phases
// also run against that build, alternating with this one's in every round. It also counts each
// thread's context switches per flush (voluntary: it waited; involuntary: it was preempted),
// which tells the flush's thread hand-offs apart from the route's CPU.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAverage, startChild } from './harness.mjs';

const seconds = Number(process.env.SECONDS ?? 4);
const rounds = Number(process.env.ROUNDS ?? 3);
const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
const json = { 'content-type': 'application/json' };
const dir = mkdtempSync(join(tmpdir(), 'igniter-thread-cost-'));

/** A count from a /proc status text (`voluntary_ctxt_switches`, ...). */
function statusCount(status, field) {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

/**
 * CPU seconds (user, system) and context switches (voluntary, involuntary) of each thread of
 * `pid`, by thread name.
 */
function threads(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = tid === String(pid) ? 'main' : name;
      out[key] ??= { user: 0, system: 0, waits: 0, preempted: 0 };
      const entry = out[key];
      entry.user += Number(f[11]) / 100;
      entry.system += Number(f[12]) / 100;
      entry.waits += statusCount(status, 'voluntary_ctxt_switches');
      entry.preempted += statusCount(status, 'nonvoluntary_ctxt_switches');
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
const children = [
  ['memory', await startChild(['igniter-memory'])],
  ['durable', await startChild(['igniter', join(dir, 'a.log')])],
];
if (process.env.BASELINE) {
  const env = { ...process.env, IGNITER_SERVER: process.env.BASELINE };
  children.push(['memory (baseline)', await startChild(['igniter-memory'], undefined, env)]);
  children.push(['durable (baseline)', await startChild(['igniter', join(dir, 'b.log')], undefined, env)]);
}
let n = 0;
const put = (child) => ({
  url: child.url,
  requests: [
    {
      method: 'PUT',
      body,
      headers: json,
      setupRequest: (r) => ({ ...r, path: `/v1/stores/m/keys/k${n++}` }),
    },
  ],
});
console.log(`load average before: ${loadAverage()}`);
const totals = Object.fromEntries(children.map(([name]) => [name, { requests: 0, cpu: {} }]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, child] of children) {
    const before = threads(child.pid);
    const result = await load({ ...put(child), duration: seconds });
    const after = threads(child.pid);
    const total = totals[name];
    total.requests += result.requests.total;
    for (const [thread, t] of Object.entries(after)) {
      const b = before[thread] ?? { user: 0, system: 0, waits: 0, preempted: 0 };
      total.cpu[thread] ??= { user: 0, system: 0, waits: 0, preempted: 0 };
      const e = total.cpu[thread];
      e.user += t.user - b.user;
      e.system += t.system - b.system;
      e.waits += t.waits - b.waits;
      e.preempted += t.preempted - b.preempted;
    }
  }
}
const rows = [];
for (const [name, t] of Object.entries(totals)) {
  for (const [thread, c] of Object.entries(t.cpu)) {
    if (c.user + c.system === 0) continue;
    rows.push({
      phase: name,
      thread,
      'user µs/req': +((c.user / t.requests) * 1e6).toFixed(1),
      'sys µs/req': +((c.system / t.requests) * 1e6).toFixed(1),
    });
  }
  const all = Object.values(t.cpu).reduce((sum, c) => sum + c.user + c.system, 0);
  rows.push({ phase: name, thread: '(all)', 'user µs/req': +((all / t.requests) * 1e6).toFixed(1) });
  rows.push({ phase: name, thread: '(req/s)', 'user µs/req': Math.round(t.requests / (seconds * rounds)) });
}
console.table(rows);
console.log(`load average after: ${loadAverage()}`);
for (const [name, child] of children) {
  const text = await (await fetch(`${child.url}/v1/metrics`)).text();
  const metric = (m) => Number(new RegExp(`^${m} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const flushes = metric('igniter_flush_requests_count');
  const switches = Object.entries(totals[name].cpu)
    .filter(([, c]) => c.waits + c.preempted > 0)
    .map(([thread, c]) => `${thread} ${(c.waits / flushes).toFixed(2)}/${(c.preempted / flushes).toFixed(2)}`)
    .join(', ');
  console.log(
    `${name}: ${flushes} flushes, ${(metric('igniter_flush_requests_sum') / flushes).toFixed(1)} writes per flush, ` +
      `${((metric('igniter_flush_duration_seconds_sum') / flushes) * 1000).toFixed(2)} ms per flush; ` +
      `context switches per flush (waited/preempted): ${switches}`,
  );
}
for (const [, child] of children) await child.stop();
rmSync(dir, { recursive: true, force: true });
