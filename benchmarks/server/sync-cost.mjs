// What one group commit's sync costs the kernel on this disk, two ways: appending BYTES to the
// end of a growing file and fdatasync (what the file store's writer does now: the file's size
// changes at every commit, so each fdatasync also commits the inode), and overwriting the same
// bytes in a region zero-filled and synced beforehand (a preallocated log: only data to sync).
// Reports wall time and this process's user and system CPU per commit, in alternating rounds.
//   node benchmarks/server/sync-cost.mjs [dir]   (default: the OS temp dir, where load.mjs puts
//   its store; COMMITS per round, default 2000; BYTES per commit, default 8192, ~30 PUTs' frames;
//   ROUNDS, default 3)
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverage } from './harness.mjs';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'igniter-sync-cost-'));
const commits = Number(process.env.COMMITS ?? 2000);
const bytes = Number(process.env.BYTES ?? 8192);
const rounds = Number(process.env.ROUNDS ?? 3);
const frames = Buffer.alloc(bytes, 7);

/** Runs `commits` write + fdatasync pairs; `zeroed` first fills and syncs the whole region with zeros. */
function run(zeroed) {
  const path = join(dir, zeroed ? 'zeroed.bin' : 'append.bin');
  const fd = openSync(path, 'w+');
  if (zeroed) {
    const zeros = Buffer.alloc(1 << 20);
    for (let at = 0; at < commits * bytes; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
    fdatasyncSync(fd);
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < commits; i += 1) {
    writeSync(fd, frames, 0, bytes, i * bytes);
    fdatasyncSync(fd);
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  closeSync(fd);
  rmSync(path);
  return { wall: (wall * 1000) / commits, user: used.user / commits, system: used.system / commits };
}

console.log(`load average before: ${loadAverage()}`);
const totals = { append: [], zeroed: [] };
for (let round = 0; round < rounds; round += 1) {
  totals.append.push(run(false));
  totals.zeroed.push(run(true));
}
const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
console.table(
  Object.entries(totals).map(([name, runs]) => ({
    commit: name === 'append' ? 'append + fdatasync (growing file)' : 'overwrite zeroed + fdatasync',
    'wall µs (median)': Math.round(median(runs.map((r) => r.wall))),
    'user µs': +median(runs.map((r) => r.user)).toFixed(1),
    'system µs': +median(runs.map((r) => r.system)).toFixed(1),
  })),
);
console.log(`load average after: ${loadAverage()}`);
rmSync(dir, { recursive: true, force: true });
