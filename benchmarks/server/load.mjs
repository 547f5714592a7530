// Load test of @igniter/server over loopback: 64 connections (autocannon, in this process) against
// the server in a child process on a fresh file store, next to a no-op route of the same framework
// (Fastify, also a child) in the same run.
//   1. no-op GET on a bare Fastify server, DURATION seconds
//   2. durable writes: PUT of a new key each, answered after the shared flush (group commit);
//      run for a request count calibrated to last about DURATION seconds, so that no request is in
//      flight when the run ends and the store can be checked against the acknowledged writes
//   3. reads: GET of a random written key, DURATION seconds
// Goals (issue #24): writes >= 50% and reads >= 70% of the no-op req/s, zero errors, and the store
// holding exactly the acknowledged writes afterwards.
//   node benchmarks/server/load.mjs        (DURATION=seconds, default 20)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { figures, load, loadAverage, startChild } from './harness.mjs';

const duration = Number(process.env.DURATION ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'igniter-load-'));
const path = join(dir, 'load.log');
const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
const json = { 'content-type': 'application/json' };
const rows = [];
console.log(
  `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model}), load average before: ${loadAverage()}`,
);

const noop = await startChild(['fastify']);
await load({ url: `${noop.url}/noop`, duration: 2 });
const noopResult = await load({ url: `${noop.url}/noop`, duration });
rows.push(figures('Fastify no-op GET', noopResult));
await noop.stop();

const server = await startChild(['igniter', path]);
function writes(store, options) {
  let next = 0;
  const sent = [];
  const run = load({
    url: server.url,
    ...options,
    requests: [
      {
        method: 'PUT',
        headers: json,
        body,
        setupRequest: (request) => {
          const key = `k${next++}`;
          sent.push(key);
          return { ...request, path: `/v1/stores/${store}/keys/${key}` };
        },
      },
    ],
  });
  return run.then((result) => ({ result, sent }));
}
// Calibration, in a store of its own: how many writes fill `duration` seconds.
const calibration = await writes('calibration', { duration: 3 });
const amount = Math.max(1000, Math.round(calibration.result.requests.average * duration));
const written = await writes('bench', { amount });
rows.push(figures(`durable writes (PUT, ${amount} keys)`, written.result));
const acknowledged = written.result['2xx'];

const reads = await load({
  url: server.url,
  duration,
  requests: [
    {
      method: 'GET',
      setupRequest: (request) => ({
        ...request,
        path: `/v1/stores/bench/keys/k${Math.floor(Math.random() * acknowledged)}`,
      }),
    },
  ],
});
rows.push(figures('reads (GET a key)', reads));
await server.stop();

console.table(rows);
const ratio = (result) => (result.requests.average / noopResult.requests.average) * 100;
console.log(`writes: ${ratio(written.result).toFixed(0)}% of the no-op req/s (goal >= 50%)`);
console.log(`reads:  ${ratio(reads).toFixed(0)}% of the no-op req/s (goal >= 70%)`);

// The store after the run: exactly the acknowledged writes.
const store = openFileStore(path);
const keys = store.keys({ store: 'bench', limit: 10_000_000 });
const sentKeys = new Set(written.sent);
const bench = store.stores().find((entry) => entry.store === 'bench');
const exact =
  bench?.factCount === acknowledged && keys.length === acknowledged && keys.every((key) => sentKeys.has(key));
console.log(
  `store after the run: ${bench?.factCount ?? 0} facts in 'bench', ${acknowledged} writes acknowledged (201): ${exact ? 'exactly the acknowledged writes' : 'MISMATCH'}`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`load average after: ${loadAverage()}`);
if (!exact || rows.some((row) => row.errors > 0)) process.exitCode = 1;
