// The serving process's CPU per request of single routes, each against a bare Fastify
// equivalent, in alternating slices: where a route's time goes, without the load test's other
// phases (run it under PROFILE=<dir> to get one CPU profile per server with only these routes).
//   node benchmarks/server/route-cost.mjs [phase...]   phases: noop, echo, put, get, durable (default all)
// (put and get go to a server over an in-memory store; durable is put to a server over a fresh
// file store, answered after its flush)
//   (SECONDS per slice, default 4; ROUNDS, default 3; PROFILE=<dir>)
// With BASELINE=<file> (the index.js of another build of @igniter/server, see child.mjs), put and
// get also run against that build, in the same rounds: an A/B of two builds on the same machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, load, loadAverage, startChild } from './harness.mjs';

const seconds = Number(process.env.SECONDS ?? 4);
const rounds = Number(process.env.ROUNDS ?? 3);
const wanted = process.argv.slice(2);
const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
const json = { 'content-type': 'application/json' };
const fastify = await startChild(['fastify'], process.env.PROFILE);
const igniter = await startChild(['igniter-memory'], process.env.PROFILE);
const dir = mkdtempSync(join(tmpdir(), 'igniter-route-cost-'));
const file = await startChild(['igniter', join(dir, 'a.log')], process.env.PROFILE);
const baselineEnv = { ...process.env, IGNITER_SERVER: process.env.BASELINE };
const baseline = process.env.BASELINE
  ? await startChild(['igniter-memory'], undefined, baselineEnv)
  : undefined;
const baselineFile = process.env.BASELINE
  ? await startChild(['igniter', join(dir, 'b.log')], undefined, baselineEnv)
  : undefined;
let written = 0;
/** Keys of store 'r' that reads ask for: all written before the rounds (a few more are written). */
const READABLE = 9_000;
const routes = (child) => ({
  put: [
    child,
    {
      url: child.url,
      requests: [
        {
          method: 'PUT',
          body,
          headers: json,
          setupRequest: (r) => ({ ...r, path: `/v1/stores/m/keys/k${written++}` }),
        },
      ],
    },
  ],
  get: [
    child,
    {
      url: child.url,
      requests: [
        {
          method: 'GET',
          setupRequest: (r) => ({ ...r, path: `/v1/stores/r/keys/k${Math.floor(Math.random() * READABLE)}` }),
        },
      ],
    },
  ],
});
const phases = {
  noop: [fastify, { url: `${fastify.url}/noop` }],
  echo: [fastify, { url: `${fastify.url}/echo/k1`, method: 'PUT', body, headers: json }],
  ...routes(igniter),
  durable: routes(file).put,
};
if (baseline) {
  const before = routes(baseline);
  phases['put (baseline)'] = before.put;
  phases['get (baseline)'] = before.get;
  phases['durable (baseline)'] = routes(baselineFile).put;
}
const names =
  wanted.length > 0
    ? wanted.flatMap((name) => Object.keys(phases).filter((p) => p.split(' ')[0] === name))
    : Object.keys(phases);
// Something to read, on each server.
for (const child of [igniter, baseline]) {
  if (!child) continue;
  let n = 0;
  const fill = {
    method: 'PUT',
    body,
    headers: json,
    setupRequest: (r) => ({ ...r, path: `/v1/stores/r/keys/k${n++}` }),
  };
  await load({ url: child.url, requests: [fill], amount: READABLE + 1_000 });
}
console.log(`load average before: ${loadAverage()}`);
const totals = Object.fromEntries(names.map((name) => [name, { requests: 0, cpu: 0, seconds: 0, bad: 0 }]));
for (let round = 0; round < rounds; round += 1) {
  for (const name of names) {
    const [child, options] = phases[name];
    const before = cpuSeconds(child.pid);
    const result = await load({ ...options, duration: seconds });
    const total = totals[name];
    total.cpu += cpuSeconds(child.pid) - before;
    total.requests += result.requests.total;
    total.seconds += result.duration;
    total.bad += result.errors + result.timeouts + result.non2xx;
  }
}
console.table(
  Object.entries(totals).map(([name, t]) => ({
    phase: name,
    'req/s': Math.round(t.requests / t.seconds),
    'server µs/req': Math.round((t.cpu / t.requests) * 1e6),
    'server busy %': Math.round((t.cpu / t.seconds) * 100),
    errors: t.bad,
  })),
);
console.log(`load average after: ${loadAverage()}`);
await fastify.stop();
await igniter.stop();
await baseline?.stop();
await file.stop();
await baselineFile?.stop();
rmSync(dir, { recursive: true, force: true });
