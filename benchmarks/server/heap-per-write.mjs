// The V8 heap a store keeps per write, with and without HTTP: writes N facts one `write` at a time, a
// `flush()` every GROUP writes (as the server's group commit does), and prints the heap used
// after a forced GC every STEP writes. Needs --expose-gc:
//   node --expose-gc benchmarks/server/heap-per-write.mjs [file|memory] [changefeed]
//   node --expose-gc benchmarks/server/heap-per-write.mjs server [memory]
// (`server`: the same writes as PUTs, GROUP at a time, to an @igniter/server in
// this process over a file store it opens, or over an in-memory store with `memory`; RING=<n>:
// over a file store opened here with a changefeed of that replay-ring capacity.)
// Env: N (default 300000), STEP (50000), GROUP (20), KEYS (distinct keys, default 10000; 0: a new
// key per write, as alloc-cost.mjs PUTs), ENGINE (native|ts; default auto),
// ROOT=<another checkout> (its built packages instead of this one's), SNAPSHOTS=<dir> (a heap
// snapshot there at each step, for a diff by constructor in Chrome DevTools' Comparison view).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const root = resolve(process.env.ROOT ?? new URL('../..', import.meta.url).pathname);
const { IgniterStore, Changefeed } = await import(join(root, 'packages/core/dist/index.js'));
const { openFileStore } = await import(join(root, 'packages/backend-file/dist/index.js'));
const { createServer } = await import(join(root, 'packages/server/dist/index.js'));

const [kind = 'file', feed] = process.argv.slice(2);
const N = Number(process.env.N ?? 300_000);
const STEP = Number(process.env.STEP ?? 50_000);
const GROUP = Number(process.env.GROUP ?? 20);
const KEYS = Number(process.env.KEYS ?? 10_000);
const options = {};
if (process.env.ENGINE) options.engine = process.env.ENGINE;
if (feed === 'changefeed') options.changefeed = new Changefeed();

const dir = mkdtempSync(join(tmpdir(), 'igniter-heap-'));
const store =
  kind === 'server'
    ? await servedStore()
    : kind === 'memory'
      ? new IgniterStore(options)
      : openFileStore(join(dir, 'app.log'), { ...options, durability: 'group', groupCommitMs: 200 });

/** A store-like object whose `write` PUTs to a server in this process and `flush` awaits those PUTs. */
async function servedStore() {
  const given =
    feed === 'memory'
      ? new IgniterStore()
      : process.env.RING
        ? openFileStore(join(dir, 'app.log'), {
            changefeed: new Changefeed({ capacity: Number(process.env.RING) }),
            groupCommitMs: 200,
          })
        : undefined;
  const server = createServer(given ? { store: given, port: 0 } : { path: join(dir, 'app.log'), port: 0 });
  const { url } = await server.listen();
  let pending = [];
  const put = async (input) => {
    const response = await fetch(`${url}/v1/stores/${input.store}/keys/${input.key}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: input.value }),
    });
    if (response.status !== 201 && response.status !== 200) throw new Error(`PUT: ${response.status}`);
    await response.arrayBuffer();
  };
  return {
    write: (input) => pending.push(put(input)),
    flush: async () => {
      const batch = pending;
      pending = [];
      await Promise.all(batch);
    },
    close: async () => {
      await Promise.all(pending);
      await server.close();
      await given?.close();
    },
  };
}

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const start = heapAfterGc();
let last = start;
console.log(`${kind}${feed ? ` + ${feed}` : ''}, engine ${process.env.ENGINE ?? 'auto'}, N=${N}`);
for (let i = 1; i <= N; i++) {
  store.write({
    store: 'bench',
    key: `k${KEYS ? i % KEYS : i}`,
    value: { title: `task ${i}`, done: false, n: i },
  });
  if (i % GROUP === 0) await store.flush();
  if (i % STEP === 0) {
    const heap = heapAfterGc();
    console.log(
      `${String(i).padStart(8)} writes: heap ${(heap / 2 ** 20).toFixed(1)} MiB, ` +
        `+${((heap - last) / STEP).toFixed(0)} B/write this step, +${((heap - start) / i).toFixed(0)} B/write overall`,
    );
    last = heap;
    if (process.env.SNAPSHOTS) writeHeapSnapshot(join(process.env.SNAPSHOTS, `${kind}-${i}.heapsnapshot`));
  }
}
await store.close();
rmSync(dir, { recursive: true, force: true });
