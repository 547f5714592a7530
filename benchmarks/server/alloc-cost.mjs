// Bytes allocated per request by a served write route, by the function that allocated them: the
// garbage a PUT leaves for the collector, a figure that does not move with the machine's load
// (CPU per request does, by more than the cuts it should show). The server runs in a child
// (child.mjs) under V8's sampling heap profiler (collected objects included); autocannon PUTs
// new keys to it, as in load.mjs.
//   node benchmarks/server/alloc-cost.mjs                 (in-memory store; SECONDS, default 4; TOP, default 25)
//   STORE=file node benchmarks/server/alloc-cost.mjs      (a fresh file store, writes answered after the flush)
//   BASELINE=<index.js of another build> node ...         also the same for that build (see child.mjs)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAverage, startChild } from './harness.mjs';

const seconds = Number(process.env.SECONDS ?? 4);
const top = Number(process.env.TOP ?? 25);
const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
const dir = mkdtempSync(join(tmpdir(), 'igniter-alloc-cost-'));

/** Self bytes by function (name file:line) over a sampling heap profile's tree, and their total. */
function bytesByFunction(profile) {
  const bytes = new Map();
  let total = 0;
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    total += node.selfSize;
    if (node.selfSize > 0) bytes.set(name, (bytes.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return { bytes, total };
}

/** PUTs a new key each to a server of `env`'s build for SECONDS; its allocations per request. */
async function measure(name, env) {
  const file = join(dir, `${name}.heapprofile`);
  const args = process.env.STORE === 'file' ? ['igniter', join(dir, `${name}.log`)] : ['igniter-memory'];
  const child = await startChild(args, undefined, { ...env, HEAP_PROFILE: file });
  let n = 0;
  const result = await load({
    url: child.url,
    duration: seconds,
    requests: [
      {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/json' },
        setupRequest: (r) => ({ ...r, path: `/v1/stores/m/keys/k${n++}` }),
      },
    ],
  });
  await child.stop();
  const requests = result.requests.total;
  const errors = result.errors + result.timeouts + result.non2xx;
  return { name, requests, errors, ...bytesByFunction(JSON.parse(readFileSync(file, 'utf8'))) };
}

console.log(`load average before: ${loadAverage()}`);
const runs = [await measure('this build', process.env)];
if (process.env.BASELINE)
  runs.push(await measure('baseline', { ...process.env, IGNITER_SERVER: process.env.BASELINE }));
for (const run of runs) {
  console.log(
    `\n${run.name}: ${run.requests} PUTs (${run.errors} errors), ${Math.round(run.total / run.requests)} bytes allocated per request`,
  );
  const rows = [...run.bytes].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [where, bytes] of rows)
    console.log(`${String(Math.round(bytes / run.requests)).padStart(8)}  ${where}`);
}
console.log(`load average after: ${loadAverage()}`);
rmSync(dir, { recursive: true, force: true });
