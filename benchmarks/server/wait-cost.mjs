// What a durable PUT's extra CPU is made of: the same PUTs (64 connections) against several servers
// in alternating slices, each server's CPU per request from /proc (all threads, and user time alone):
//   memory   an in-memory store (no log at all)
//   feed     an in-memory store with a changefeed, as `createServer({ path })` gives its store
//            (memory has none): what publishing a change event per write costs
//   memdelayed  an in-memory store whose flush resolves after DELAY ms: waiting alone, without
//            any log, framing or changefeed
//   file     a file store as served: each group of writes waits for its flush (group commit)
//   unsynced a file store whose flush resolves on the next turn: the frames are still staged,
//            framed and written, but synced only by the writer's own 200 ms window (NOT durable:
//            a diagnostic, never a mode of the product), so requests are answered as fast as
//            in memory
//   delayed  like unsynced, but the flush resolves after DELAY ms (default 2, about what a flush
//            takes under this load): waiting without a sync
//   polled   a file store whose writer commits by itself every WINDOW ms (default 1); a flush
//            checks the writer's durable seq each turn, then every 1 ms: no flush call to a pool
//            thread, requests wait about as long as with the flush
// file minus unsynced is what waiting for the disk costs; unsynced minus memory is the log's
// framing and writing; delayed against file tells waiting from syncing; polled against file
// tells the flush call's hand-off from the waiting; memdelayed against memory is the waiting alone.
//   node benchmarks/server/wait-cost.mjs    (SECONDS per slice, default 3; ROUNDS, default 4; WINDOW; DELAY;
//     MODES=memory,feed,... to run some modes only; CONNECTIONS, default 64)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTimes, load, loadAverage } from './harness.mjs';

const MODES = (process.env.MODES ?? 'memory,feed,memdelayed,file,unsynced,delayed,polled').split(',');

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);
else await main();

/** The child: a server of `mode` (see above) on a store at `path`; prints {"url"}; SIGTERM stops it. */
async function serve(mode, path) {
  const { FileBackend } = await import('@igniter/backend-file');
  const { Changefeed, IgniterStore } = await import('@igniter/core');
  const { createServer } = await import('@igniter/server');
  let store;
  let backend;
  if (mode === 'memory') store = new IgniterStore();
  else if (mode === 'feed') store = new IgniterStore({ changefeed: new Changefeed() });
  else if (mode === 'memdelayed') {
    store = new IgniterStore();
    const delay = Number(process.env.DELAY ?? 2);
    store.flush = () => new Promise((resolve) => setTimeout(resolve, delay));
  } else {
    const window = mode === 'polled' ? Number(process.env.WINDOW ?? 1) : 200;
    backend = new FileBackend(path, { groupCommitMs: window });
    store = new IgniterStore({ backend, changefeed: new Changefeed() });
    if (mode === 'unsynced') store.flush = () => new Promise((resolve) => setImmediate(resolve));
    const delay = Number(process.env.DELAY ?? 2);
    if (mode === 'delayed') store.flush = () => new Promise((resolve) => setTimeout(resolve, delay));
    if (mode === 'polled') {
      store.flush = () => {
        const target = store.lastSeq();
        return new Promise((resolve) => {
          const check = () =>
            backend.durabilityStatus().durableSeq >= target ? resolve() : setTimeout(check, 1);
          setImmediate(check);
        });
      };
    }
  }
  const server = createServer({ store, port: 0 });
  const { url } = await server.listen();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => {
    const syncs = backend?.durabilityStatus().syncs;
    process.stdout.write(`${JSON.stringify({ syncs, lastSeq: store.lastSeq() })}\n`);
    server
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

async function main() {
  const seconds = Number(process.env.SECONDS ?? 3);
  const rounds = Number(process.env.ROUNDS ?? 4);
  const dir = mkdtempSync(join(tmpdir(), 'igniter-wait-cost-'));
  const self = fileURLToPath(import.meta.url);
  const start = (mode) => {
    const child = spawn(process.execPath, [self, 'serve', mode, join(dir, `${mode}.log`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = [];
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const parts = out.split('\n');
      out = parts.pop();
      lines.push(...parts.map((line) => JSON.parse(line)));
    });
    return new Promise((resolve) => {
      const wait = () =>
        lines.length ? resolve({ mode, child, url: lines[0].url, lines }) : setTimeout(wait, 10);
      wait();
    });
  };
  console.log(`load average before: ${loadAverage()}`);
  const servers = [];
  for (const mode of MODES) servers.push(await start(mode));
  const body = JSON.stringify({ value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 } });
  let n = 0;
  const totals = Object.fromEntries(MODES.map((mode) => [mode, { cpu: 0, user: 0, requests: 0, errors: 0 }]));
  for (let round = 0; round < rounds; round += 1) {
    for (const server of servers) {
      const before = cpuTimes(server.child.pid);
      const result = await load({
        connections: Number(process.env.CONNECTIONS ?? 64),
        url: server.url,
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
      const total = totals[server.mode];
      const after = cpuTimes(server.child.pid);
      total.cpu += after[0] + after[1] - before[0] - before[1];
      total.user += after[0] - before[0];
      total.requests += result.requests.total;
      total.errors += result.errors + result.timeouts + result.non2xx;
    }
  }
  const rows = [];
  for (const server of servers) {
    const ended = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await ended;
    const { syncs, lastSeq } = server.lines[1] ?? {};
    const t = totals[server.mode];
    rows.push({
      server: server.mode,
      'server µs/req': +((t.cpu / t.requests) * 1e6).toFixed(1),
      'of it user': +((t.user / t.requests) * 1e6).toFixed(1),
      'req/s': Math.round(t.requests / (seconds * rounds)),
      'writes per fdatasync': syncs ? +(lastSeq / syncs).toFixed(1) : '-',
      errors: t.errors,
    });
  }
  console.table(rows);
  console.log(`load average after: ${loadAverage()}`);
  rmSync(dir, { recursive: true, force: true });
}
