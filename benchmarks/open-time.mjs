// Open time of a file store holding 1M facts, per engine (ARCHITECTURE.md D8/D9 targets: <= 1 s on the
// TS engine, <= 0.5 s native). Each open runs in a fresh process, so nothing is warm but the OS
// page cache. Prints the time to open the backend (read and CRC-check every frame, then replay
// natively or index without decoding) and to hydrate the store (the engine adopts the log), and
// then, as what a lazy open defers, the time to read every fact once. The native engine's first
// open of the log replays it and writes `app.log.image` (an open image, `openImageFacts`); its
// second open maps that image: both are timed ("native, first open" removes the image first).
// Run: pnpm build && pnpm --filter igniter-benchmarks open-time   (FACTS=n to change the size)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@igniter/backend-file';
import { writeOpenTimeLog } from './open-time-facts.mjs';

const FACTS = Number(process.env.FACTS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out', `open-time-${FACTS}`);
const logPath = join(out, 'app.log');

/** A log of `FACTS` facts: 3 stores, 50k keys updated repeatedly, ~120-byte values. */
async function generate() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  await writeOpenTimeLog(openFileStore, logPath, FACTS);
  return performance.now() - started;
}

/**
 * Opens the log in a fresh process and returns its timings; `cwd` picks the build that
 * resolves `@igniter/*` (another checkout's benchmarks folder, for a before/after comparison).
 */
function openOnce(engine, flags = [], cwd = here, open = 'first') {
  // The first open replays the log (and, natively, writes its image); a second maps the image.
  if (open === 'first') rmSync(`${logPath}.image`, { force: true });
  const script = `
    const { FileBackend } = await import('@igniter/backend-file');
    const { IgniterStore } = await import('@igniter/core');
    const t0 = performance.now();
    const backend = new FileBackend(${JSON.stringify(logPath)});
    const t1 = performance.now();
    const store = new IgniterStore({ engine: ${JSON.stringify(engine)}, backend });
    const t2 = performance.now();
    const facts = store.factCount();
    const report = backend.recoveryReport?.() ?? {};
    const image = report.openImage === 'written' ? 'written' : (report.checkpointImage ?? null);
    const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
    const rssMB = process.memoryUsage().rss / 2 ** 20;
    // What a lazy open defers: every fact read once (history of each store).
    const t3 = performance.now();
    let read = 0;
    if (!process.env.SKIP_READ_ALL) for (const name of ['orders', 'customers', 'events']) read += store.history({ store: name }).length;
    const readAllMs = performance.now() - t3;
    if (!process.env.SKIP_READ_ALL && read !== facts) throw new Error('read ' + read + ' of ' + facts + ' facts');
    await store.close();
    console.log(JSON.stringify({ backendMs: t1 - t0, hydrateMs: t2 - t1, totalMs: t2 - t0, facts, heapMB, rssMB, readAllMs, image }));
  `;
  const stdout = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    cwd,
    env: { ...process.env, IGNITER_ENGINE: engine },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(stdout);
}

/**
 * The floor under any engine that keeps facts as JS objects: allocate and retain `FACTS`
 * frozen objects shaped like these facts (no I/O, no parsing, no indexes), in a fresh process.
 */
function allocationFloor() {
  const script = `
    const t0 = performance.now();
    const out = [];
    for (let i = 0; i < ${FACTS}; i++) {
      const value = Object.freeze({ amount: i * 1.25, items: Object.freeze([Object.freeze({ qty: i % 7, sku: 'A-' + (i % 100) })]), note: 'n' + i, status: i % 5 ? 'open' : 'closed' });
      out.push(Object.freeze({ id: '01a21ebf-546d-7000-8000-' + (1e11 + i), seq: i + 1, store: 'orders', key: 'key-' + (i % 50000), value,
        valueHash: (1e15 + i).toString(16).repeat(5).slice(0, 64), causation: null, transactionTime: 1.7e12 + i, validTime: null,
        schemaVersion: 1, producer: null, derivation: null, idempotencyKey: null }));
    }
    console.log(JSON.stringify({ ms: performance.now() - t0, heapMB: process.memoryUsage().heapUsed / 2 ** 20 }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

/**
 * The floor under any JS reader of this log, in a fresh process: read the file, CRC-check
 * every frame and index every fact by its store and key (seq, offset and the previous fact of
 * the key, in typed arrays), building no fact object and parsing no value. A TS engine that
 * decoded facts lazily would pay at least this at open.
 */
function jsScanFloor() {
  const script = `
    const { openSync, readSync, fstatSync, closeSync } = require('node:fs');
    const { crc32 } = require('node:zlib');
    const t0 = performance.now();
    const fd = openSync(${JSON.stringify(logPath)}, 'r');
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size);
    for (let got = 0; got < size; ) got += readSync(fd, buf, got, size - got, got);
    closeSync(fd);
    const cap = ${FACTS};
    const seqs = new Float64Array(cap), starts = new Float64Array(cap), prevOfKey = new Int32Array(cap);
    const keyIds = new Map(), lastOfKey = [];
    let n = 0, at = 16 + 4 + buf.readUInt32BE(16) + 4;
    while (at + 8 <= size) {
      const s = at + 4, e = s + buf.readUInt32BE(at);
      if (crc32(buf.subarray(s, e)) !== buf.readUInt32BE(e)) throw new Error('bad frame at ' + at);
      let p = s + 4 + 36 + 2, seq = 0, c;
      while ((c = buf[p++]) !== 44) seq = seq * 10 + (c - 48);
      const storeStart = ++p; while (buf[p] !== 34) p++;
      const storeEnd = p; p += 3;
      const keyStart = p; while (buf[p] !== 34) p++;
      const name = buf.latin1Slice(storeStart, storeEnd) + '\\u0000' + buf.latin1Slice(keyStart, p);
      let k = keyIds.get(name);
      if (k === undefined) { k = lastOfKey.length; keyIds.set(name, k); lastOfKey.push(-1); }
      seqs[n] = seq; starts[n] = s; prevOfKey[n] = lastOfKey[k]; lastOfKey[k] = n;
      n++; at = e + 4;
    }
    console.log(JSON.stringify({ ms: performance.now() - t0, facts: n, keys: keyIds.size }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (!existsSync(logPath) || process.env.REGENERATE) {
  const ms = await generate();
  console.log(
    `generated ${FACTS} facts in ${(ms / 1000).toFixed(1)} s (${Math.round((FACTS / ms) * 1000)} facts/s through writeMany)`,
  );
}
console.log(
  `log: ${(statSync(logPath).size / 2 ** 20).toFixed(0)} MiB, ${FACTS} facts; node ${process.version}; best and median of ${RUNS} fresh processes; load average ${loadavg()[0].toFixed(1)}`,
);
// BASELINE=<dir>: opens with the build `dir` resolves and with this one, alternately (a machine
// whose speed moves from minute to minute compares them fairly only side by side), then stops.
// ENGINES=ts,native picks the engines; SKIP_READ_ALL=1 skips reading every fact after open.
if (process.env.BASELINE) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  for (const engine of (process.env.ENGINES ?? 'native,ts').split(',')) {
    const runs = { baseline: [], this: [], 'this, second open': [] };
    for (let i = 0; i < RUNS; i++) {
      runs.baseline.push(openOnce(engine, [], process.env.BASELINE));
      runs.this.push(openOnce(engine));
      if (engine === 'native') runs['this, second open'].push(openOnce(engine, [], here, 'second'));
    }
    for (const [label, list] of Object.entries(runs)) {
      if (list.length === 0) continue;
      const totals = list.map((r) => r.totalMs);
      console.log(
        `${`${engine}, ${label} build`.padEnd(30)} open best ${s(Math.min(...totals))}, median ${s(median(totals))}; RSS ${median(list.map((r) => r.rssMB)).toFixed(0)} MiB; image ${list[0]?.image}; then reading every fact ${s(median(list.map((r) => r.readAllMs)))} (median)`,
      );
    }
  }
  process.exit(0);
}
const floors = Array.from({ length: RUNS }, allocationFloor).sort((a, b) => a.ms - b.ms);
console.log(
  `${'V8 floor: allocate 1 object/fact'.padEnd(34)} ${((floors[0]?.ms ?? 0) / 1000).toFixed(2)} s (median ${((median(floors.map((f) => f.ms)) ?? 0) / 1000).toFixed(2)} s); heap ${(floors[0]?.heapMB ?? 0).toFixed(0)} MiB`,
);
const scans = Array.from({ length: RUNS }, jsScanFloor).sort((a, b) => a.ms - b.ms);
console.log(
  `${'JS floor: read, CRC, index keys'.padEnd(34)} ${((scans[0]?.ms ?? 0) / 1000).toFixed(2)} s (median ${((median(scans.map((f) => f.ms)) ?? 0) / 1000).toFixed(2)} s); ${scans[0]?.facts} facts, ${scans[0]?.keys} keys`,
);
const variants = [
  ['ts', []],
  ['native', []],
  ['native', [], 'second'],
  ['ts', ['--max-semi-space-size=64']],
  ['native', ['--max-semi-space-size=64']],
];
for (const [engine, flags, open = 'first'] of variants) {
  let runs;
  try {
    runs = Array.from({ length: RUNS }, () => openOnce(engine, flags, here, open));
  } catch (error) {
    const reason =
      String(error.stderr ?? error.message)
        .split('\n')
        .find((line) => line.includes('Error')) ?? error.message;
    console.log(`${engine}${flags.length ? ` ${flags.join(' ')}` : ''}: could not run (${reason.trim()})`);
    continue;
  }
  const best = runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const label = `${engine}${open === 'second' ? ', second open' : ''}${flags.length ? ` ${flags.join(' ')}` : ''}`;
  console.log(
    `${label.padEnd(34)} open ${s(best.totalMs)} (median ${s(median(runs.map((r) => r.totalMs)))}): backend ${s(best.backendMs)}, store hydrate ${s(best.hydrateMs)}; heap ${best.heapMB.toFixed(0)} MiB, RSS ${best.rssMB.toFixed(0)} MiB; image ${best.image}; ${best.facts} facts; then reading every fact ${s(best.readAllMs)}`,
  );
}
