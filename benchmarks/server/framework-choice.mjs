// Which HTTP framework @igniter/server is built on, by measurement: Fastify 5 and Hono 4 (with
// @hono/node-server) serve the same two routes (a no-op GET and a JSON PUT with a body check),
// each in its own process, both running at once, loaded by autocannon (64 connections) from this
// one in alternating slices, so that the shared machine's changing load falls on both.
// Figures go to benchmarks/RESULTS.md.
//   node benchmarks/server/framework-choice.mjs   (DURATION=seconds per slice, default 5; ROUNDS, default 4)
import { cpus } from 'node:os';
import { load, loadAverage, startChild } from './harness.mjs';

const duration = Number(process.env.DURATION ?? 5);
const rounds = Number(process.env.ROUNDS ?? 4);
const body = JSON.stringify({ value: { title: 'hello', n: 42, tags: ['a', 'b'] } });
console.log(`node ${process.version}, ${cpus().length} cpus, load average before: ${loadAverage()}`);
const servers = { fastify: await startChild(['fastify']), hono: await startChild(['hono']) };
const runs = {};
const record = (name, result) => {
  runs[name] ??= [];
  runs[name].push(result);
};
for (const server of Object.values(servers)) await load({ url: `${server.url}/noop`, duration: 2 }); // warm-up
for (let round = 0; round < rounds; round += 1) {
  for (const [framework, server] of Object.entries(servers)) {
    record(`${framework} no-op GET`, await load({ url: `${server.url}/noop`, duration }));
    const put = {
      url: `${server.url}/echo/k1`,
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    };
    record(`${framework} JSON PUT`, await load({ ...put, duration }));
  }
}
for (const server of Object.values(servers)) await server.stop();
const rows = Object.entries(runs).map(([name, results]) => {
  const seconds = results.reduce((sum, r) => sum + r.duration, 0);
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  return {
    name,
    'req/s': Math.round(requests / seconds),
    'slowest..fastest slice': `${Math.min(...results.map((r) => Math.round(r.requests.average)))}..${Math.max(...results.map((r) => Math.round(r.requests.average)))}`,
    'worst p99 ms': Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
  };
});
console.table(rows);
console.log(`load average after: ${loadAverage()}`);
