// Where the resident memory of an opened native file store goes (issue 23: <= 300 bytes per
// fact after open). Three fresh processes on the open-time log (1M facts, 3 stores, 150k keys;
// generated like open-time.mjs when missing), each measured after a full GC:
//   - node with Igniter loaded and an empty native file store open: the fixed part;
//   - the log opened with openFileStore (native engine), as an application opens it;
//   - the same file replayed straight into an @igniter/native NativeLog, whose heapBytes() is
//     what the Rust log holds by capacity (records, payload arena, id index, key tables).
//   - a checkpointed copy of the log (snapshot + checkpoint image) opened with openFileStore:
//     the records stay mapped file pages, so RSS after open is the indexes and the fixed part.
//   - a copy of the log opened twice: the first open replays it, writes its image (an open
//     image, `openImageFacts`) and maps it; the second maps that image.
// The log itself is opened with openImageFacts 0 (replay only, no image written next to it).
// Run: pnpm build && node benchmarks/memory.mjs   (FACTS=n to change the size)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@igniter/backend-file';
import { writeOpenTimeLog } from './open-time-facts.mjs';

const FACTS = Number(process.env.FACTS ?? 1_000_000);
const here = dirname(fileURLToPath(import.meta.url));
const logPath = join(here, 'out', `open-time-${FACTS}`, 'app.log');
if (!existsSync(logPath)) {
  mkdirSync(dirname(logPath), { recursive: true });
  await writeOpenTimeLog(openFileStore, logPath, FACTS);
}

/** Runs `body` (an async function body with `memory()` and `print(object)`) in a fresh process. */
function run(body) {
  const script = `
    import { createRequire } from 'node:module';
    import { mkdtempSync, openSync, readSync, closeSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { openFileStore } = await import('@igniter/backend-file');
    const memory = () => { globalThis.gc(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed, external: m.external }; };
    const print = (object) => console.log(JSON.stringify(object));
    ${body}
  `;
  const stdout = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: here,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(stdout);
}

const fixed = run(`
  const store = openFileStore(join(mkdtempSync(join(tmpdir(), 'igniter-memory-')), 'empty.log'), { engine: 'native' });
  print(memory());
  await store.close();
`);
const opened = run(`
  const store = openFileStore(${JSON.stringify(logPath)}, { engine: 'native', openImageFacts: 0 });
  const m = memory();
  print({ ...m, facts: store.factCount() });
  await store.close();
`);
const replayed = run(`
  const native = createRequire(import.meta.resolve('@igniter/core'))('@igniter/native');
  const before = memory();
  // The first frame is the file's metadata; the facts start after it.
  const fd = openSync(${JSON.stringify(logPath)}, 'r');
  const head = Buffer.alloc(20);
  readSync(fd, head, 0, 20, 0);
  closeSync(fd);
  const start = 16 + 4 + head.readUInt32BE(16) + 4;
  const log = new native.NativeLog(Number.POSITIVE_INFINITY);
  const result = log.replayFile(${JSON.stringify(logPath)}, Float64Array.from([start, 1 << 30, 0, 0, Infinity, 0]));
  const after = memory();
  print({ before, after, loaded: result.loaded, heapBytes: log.heapBytes(), size: log.size() });
`);

// A checkpointed copy: snapshot plus image (close waits for the image), then a fresh open.
const checkpointedPath = join(here, 'out', `memory-checkpointed-${FACTS}`, 'app.log');
rmSync(dirname(checkpointedPath), { recursive: true, force: true });
mkdirSync(dirname(checkpointedPath), { recursive: true });
copyFileSync(logPath, checkpointedPath);
run(`
  const store = openFileStore(${JSON.stringify(checkpointedPath)}, { engine: 'native' });
  await store.checkpoint().flush();
  await store.close();
  print({});
`);
const mapped = run(`
  const { FileBackend } = await import('@igniter/backend-file');
  const { IgniterStore } = await import('@igniter/core');
  const backend = new FileBackend(${JSON.stringify(checkpointedPath)}, { engine: 'native' });
  const store = new IgniterStore({ engine: 'native', backend });
  const m = memory();
  print({ ...m, facts: store.factCount(), image: backend.recoveryReport().checkpointImage });
  await store.close();
`);
rmSync(dirname(checkpointedPath), { recursive: true, force: true });

// A copy opened twice: the first open writes its image and maps it, the second maps that image.
const twicePath = join(here, 'out', `memory-twice-${FACTS}`, 'app.log');
rmSync(dirname(twicePath), { recursive: true, force: true });
mkdirSync(dirname(twicePath), { recursive: true });
copyFileSync(logPath, twicePath);
const openTwice = () =>
  run(`
  const { FileBackend } = await import('@igniter/backend-file');
  const { IgniterStore } = await import('@igniter/core');
  const backend = new FileBackend(${JSON.stringify(twicePath)}, { engine: 'native' });
  const store = new IgniterStore({ engine: 'native', backend });
  const m = memory();
  const report = backend.recoveryReport();
  print({ ...m, facts: store.factCount(), image: report.checkpointImage, openImage: report.openImage });
  await store.close();
`);
const firstOpen = openTwice();
const secondOpen = openTwice();
rmSync(dirname(twicePath), { recursive: true, force: true });

const facts = opened.facts;
const per = (bytes) => `${Math.round(bytes / facts)} B`;
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
console.log(
  `${facts.toLocaleString('en-US')} facts; node ${process.version}; load average ${loadavg()[0].toFixed(1)}`,
);
console.log(`| part | MiB | per fact |`);
console.log(`|---|---:|---:|`);
const row = (label, bytes) => console.log(`| ${label} | ${mib(bytes)} | ${per(bytes)} |`);
row('RSS after open (openFileStore, native, replay only: openImageFacts 0, after GC)', opened.rss);
row('  fixed: node + Igniter + an empty native store', fixed.rss);
row('  V8 heap used after open, beyond the fixed part', opened.heap - fixed.heap);
row('  the Rust log by capacity (heapBytes of the same file replayed)', replayed.heapBytes);
row('    records (256 B each)', replayed.size * 256);
row('    id index (20 B per fact, by capacity in heapBytes)', replayed.size * 20);
row(
  '  RSS of the replay beyond heapBytes (allocator, leftovers)',
  replayed.after.rss - replayed.before.rss - replayed.heapBytes,
);
row(
  '  the rest of the open (RSS after open - fixed - replay growth)',
  opened.rss - fixed.rss - (replayed.after.rss - replayed.before.rss),
);
row(`RSS after opening the checkpointed copy (image: ${mapped.image})`, mapped.rss);
row('  beyond the fixed part', mapped.rss - fixed.rss);
row(
  `RSS after the first open of a copy of the log (replay, then its image ${firstOpen.openImage} and mapped)`,
  firstOpen.rss,
);
row(
  `RSS after the second open of that copy (log opened twice: open image ${secondOpen.image})`,
  secondOpen.rss,
);
row('  beyond the fixed part', secondOpen.rss - fixed.rss);
for (const open of [firstOpen, secondOpen]) {
  if (open.facts !== facts) throw new Error(`the copy opened twice holds ${open.facts} of ${facts} facts`);
}
if (mapped.facts !== facts) throw new Error(`the checkpointed copy holds ${mapped.facts} of ${facts} facts`);
if (replayed.loaded !== facts) throw new Error(`replayed ${replayed.loaded} of ${facts} facts`);
