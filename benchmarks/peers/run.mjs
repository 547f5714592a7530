// Igniter against lmdb-js and better-sqlite3 on one workload, each system/variant/phase in its
// own child process. Prints a table and ratios, writes its section of benchmarks/RESULTS.md and
// benchmarks/peers.svg.
//
//   pnpm --filter igniter-benchmarks bench:peers [--quick] [--only=lmdb,sqlite] [--phases=single,sync]
//                                   [--no-record] [--profile=DIR] [--json=FILE] [--from=FILE]
// --quick: 100k facts over 10k keys. --only: run just the variants whose name contains one of
// the words (and skip recording); --phases: run just these phases (and skip recording). --profile: every timed section is CPU-profiled into
// DIR/<variant>-<section>.cpuprofile (read them with profile-summary.mjs; no recording).
// --json: also save the children's raw results. --from=FILE: report (and record) a saved --json
// file instead of running.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordResults } from './record.mjs';
import { printReport } from './report.mjs';
import { sizes } from './workload.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined;
const phasesArg = args.find((a) => a.startsWith('--phases='));
const phases = phasesArg ? phasesArg.slice('--phases='.length).split(',') : undefined;
const profileArg = args.find((a) => a.startsWith('--profile='));
const profileDir = profileArg ? profileArg.slice('--profile='.length) : undefined;
const record =
  !args.includes('--no-record') && only === undefined && phases === undefined && profileDir === undefined;
const jsonArg = args.find((a) => a.startsWith('--json='));
const fromArg = args.find((a) => a.startsWith('--from='));

/** Each variant: the phases it runs, in order, in one data directory. */
const VARIANTS = [
  { name: 'igniter-native-file', system: 'igniter', engine: 'native', phases: ['single'], mode: 'group' },
  { name: 'igniter-ts-file', system: 'igniter', engine: 'ts', phases: ['single'], mode: 'group' },
  { name: 'igniter-native-memory', system: 'igniter', engine: 'native', phases: ['single'], mode: 'memory' },
  { name: 'igniter-ts-memory', system: 'igniter', engine: 'ts', phases: ['single'], mode: 'memory' },
  { name: 'lmdb', system: 'lmdb', phases: ['single'], mode: 'async' },
  { name: 'sqlite', system: 'sqlite', phases: ['single'], mode: 'wal' },
  {
    name: 'igniter-native-file',
    system: 'igniter',
    engine: 'native',
    phases: ['load', 'read'],
    mode: 'group',
  },
  { name: 'igniter-ts-file', system: 'igniter', engine: 'ts', phases: ['load', 'read'], mode: 'group' },
  { name: 'igniter-native-memory', system: 'igniter', engine: 'native', phases: ['memory'], mode: 'memory' },
  { name: 'igniter-ts-memory', system: 'igniter', engine: 'ts', phases: ['memory'], mode: 'memory' },
  { name: 'lmdb', system: 'lmdb', phases: ['load', 'read'], mode: 'async' },
  { name: 'sqlite', system: 'sqlite', phases: ['load', 'read'], mode: 'wal' },
  { name: 'igniter-native-file', system: 'igniter', engine: 'native', phases: ['sync'], mode: 'fsync' },
  { name: 'igniter-ts-file', system: 'igniter', engine: 'ts', phases: ['sync'], mode: 'fsync' },
  { name: 'lmdb', system: 'lmdb', phases: ['sync'], mode: 'sync' },
  { name: 'sqlite', system: 'sqlite', phases: ['sync'], mode: 'full' },
];

function git(...command) {
  const out = spawnSync('git', command, { cwd: here, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : '';
}

function machineNow() {
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    /** Uncommitted changes under the sources the benchmark runs (another engineer may be mid-change). */
    dirty: git('status', '--porcelain', '--', '../../packages', '../../crates').split('\n').filter(Boolean)
      .length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    loadBefore: os.loadavg(),
  };
}

/** Runs every selected variant's phases, each in a fresh process; returns the machine and results. */
function runAll(size) {
  const machine = machineNow();
  console.log(
    `bench:peers ${quick ? '(quick) ' : ''}${size.facts.toLocaleString('en')} facts over ${size.keys.toLocaleString('en')} keys` +
      ` | ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, load ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const root = mkdtempSync(join(os.tmpdir(), 'igniter-peers-'));
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const results = [];
  const started = performance.now();
  try {
    for (const variant of VARIANTS) {
      if (only && !only.some((word) => variant.name.includes(word))) continue;
      const dir = join(root, `${variant.name}-${variant.mode}`);
      mkdirSync(dir, { recursive: true });
      for (const phase of variant.phases.filter((p) => !phases || phases.includes(p)))
        results.push(runPhase({ ...variant, phase, dir, quick, profileDir }, root));
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  machine.loadAfter = os.loadavg();
  machine.seconds = Math.round((performance.now() - started) / 1000);
  return { machine, results };
}

function runPhase(job, root) {
  const label = `${job.name} ${job.mode} ${job.phase}`;
  const resultFile = join(root, 'result.json');
  const t = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', join(here, 'child.mjs'), JSON.stringify(job), resultFile],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const seconds = ((performance.now() - t) / 1000).toFixed(1);
  if (child.status !== 0) {
    console.log(`  ${label}: FAILED (exit ${child.status ?? child.signal}) after ${seconds} s`);
    return { job, failed: true };
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  rmSync(resultFile, { force: true });
  console.log(`  ${label}: ${seconds} s`);
  return result;
}

const saved = fromArg ? JSON.parse(readFileSync(fromArg.slice('--from='.length), 'utf8')) : undefined;
const runQuick = saved ? saved.quick : quick;
const size = sizes(runQuick);
const { machine, results } = saved ?? runAll(size);
if (jsonArg) {
  writeFileSync(jsonArg.slice('--json='.length), JSON.stringify({ machine, results, quick }, null, 1));
}
const report = printReport(results, { machine, size, quick: runQuick });
if (record) recordResults(report, join(here, '..'));
else console.log('(not recorded: --only, --profile or --no-record)');
