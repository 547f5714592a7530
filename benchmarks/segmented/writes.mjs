// Single writes (and writeMany batches) to a segmented store: CPU and wall time per write,
// alternating this checkout with a baseline checkout, each run in a fresh child process.
//
//   node benchmarks/segmented/writes.mjs --baseline=/work/wt/base [--runs=5] [--writes=40000]
//        [--stores=4] [--durability=none|group|fsync] [--segment-bytes=67108864] [--batch=0]
//
// Each run opens a new directory (TS engine), writes `writes` facts (small JSON values) round
// robin over `stores` stores, one `store.write` each (or `writeMany` of `batch` facts when
// given), and closes. Prints best-of-runs per side and the ratio (this / baseline).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

if (option('child') !== undefined) {
  const repo = option('child');
  const { IgniterStore } = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);
  const { SegmentedFileBackend } = await import(
    pathToFileURL(join(repo, 'packages/backend-segmented/dist/index.js')).href
  );
  const writes = Number(option('writes'));
  const stores = Number(option('stores'));
  const batch = Number(option('batch'));
  const dir = mkdtempSync(join(tmpdir(), 'igniter-seg-bench-'));
  const backend = new SegmentedFileBackend(dir, {
    durability: option('durability'),
    maxSegmentBytes: Number(option('segment-bytes')),
  });
  const store = new IgniterStore({ engine: 'ts', backend });
  const input = (i) => ({ store: `s${i % stores}`, key: `k${i}`, value: { i, name: `fact ${i}` } });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (batch > 0) {
    for (let i = 0; i < writes; i += batch)
      store.writeMany(Array.from({ length: Math.min(batch, writes - i) }, (_, j) => input(i + j)));
  } else {
    for (let i = 0; i < writes; i++) store.write(input(i));
  }
  await store.flush();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  rmSync(dir, { recursive: true });
  console.log(JSON.stringify({ wallUs: (wall * 1000) / writes, cpuUs: (cpu.user + cpu.system) / writes }));
  process.exit(0);
}

const baseline = option('baseline');
if (!baseline)
  throw new Error('usage: node benchmarks/segmented/writes.mjs --baseline=<checkout> [--runs=N]');
const runs = Number(option('runs', '5'));
const shared = [
  `--writes=${option('writes', '40000')}`,
  `--stores=${option('stores', '4')}`,
  `--durability=${option('durability', 'none')}`,
  `--segment-bytes=${option('segment-bytes', String(64 << 20))}`,
  `--batch=${option('batch', '0')}`,
];
const sides = { this: here, baseline: resolve(baseline) };
const best = { this: { wallUs: Infinity, cpuUs: Infinity }, baseline: { wallUs: Infinity, cpuUs: Infinity } };
for (let r = 0; r < runs; r++) {
  for (const side of r % 2 === 0 ? ['this', 'baseline'] : ['baseline', 'this']) {
    const out = execFileSync(process.execPath, [
      fileURLToPath(import.meta.url),
      `--child=${sides[side]}`,
      ...shared,
    ]);
    const { wallUs, cpuUs } = JSON.parse(out.toString().trim().split('\n').at(-1));
    best[side].wallUs = Math.min(best[side].wallUs, wallUs);
    best[side].cpuUs = Math.min(best[side].cpuUs, cpuUs);
  }
}
const f = (n) => n.toFixed(2);
console.log(`segmented writes ${shared.join(' ')}, best of ${runs}`);
console.log('| side | wall us/write | CPU us/write |');
console.log('|---|---:|---:|');
for (const side of ['this', 'baseline'])
  console.log(`| ${side} | ${f(best[side].wallUs)} | ${f(best[side].cpuUs)} |`);
console.log(
  `| ratio | ${f(best.this.wallUs / best.baseline.wallUs)} | ${f(best.this.cpuUs / best.baseline.cpuUs)} |`,
);
