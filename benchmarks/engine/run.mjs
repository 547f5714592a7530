// The engine benchmark: native vs TS engine through IgniterStore, 1M facts of ~100-byte JSON
// values over 100k keys. Each engine runs in its own child process (so resident memory is
// its own); this program prints a table of figures and native/TS ratios and writes them into
// the "Engine" section of benchmarks/RESULTS.md.
// Usage: node benchmarks/engine/run.mjs [--facts=N] [--keys=N] [--runs=N] [--no-record]
//        [--from=FILE]  (re-tabulate the "run ..." lines a previous run printed on stderr)
// Needs a built @igniter/core (pnpm build) and @igniter/native.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, '..', 'RESULTS.md');
const option = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const facts = option('facts', 1_000_000);
const keys = option('keys', 100_000);
const runs = option('runs', 2);
const record = !process.argv.includes('--no-record');

function runEngine(engine) {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=8192',
      join(here, 'child.mjs'),
      engine,
      String(facts),
      String(keys),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

const from = process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length);
/** Each engine runs `runs` times, alternating; a measure keeps its best run (the machine is shared). */
const results = { ts: [], native: [] };
if (from) {
  for (const line of readFileSync(from, 'utf8').split('\n')) {
    const match = /^run \d+ (ts|native): (.*)$/.exec(line);
    if (match) results[match[1]].push(JSON.parse(match[2]));
  }
} else {
  for (let run = 0; run < runs; run++) {
    for (const engine of ['ts', 'native']) {
      const result = runEngine(engine);
      results[engine].push(result);
      console.error(`run ${run + 1} ${engine}: ${JSON.stringify(result)}`);
    }
  }
}
const runCount = results.ts.length;

/** [label, field, unit, higher is better] */
const rows = [
  ['writes (store.write, hashing included)', 'writesPerSec', '/s', true],
  ['writes (writeMany, batches of 1000)', 'writeManyPerSec', '/s', true],
  ['latest reads, cache cold (store.read)', 'latestColdPerSec', '/s', true],
  ['latest reads, cache warm (store.read)', 'latestWarmPerSec', '/s', true],
  ['as-of reads (store.read asOf)', 'asOfPerSec', '/s', true],
  ['history of a key (store.history)', 'historyPerSec', '/s', true],
  ['history of a key + every value read', 'historyValuesPerSec', '/s', true],
  ['full scan (factLogAll)', 'scanMs', ' ms', false],
  ['full scan + every value read', 'scanValuesMs', ' ms', false],
  ['resident memory per fact (RSS)', 'rssPerFact', ' B', false],
  ['V8 heap per fact', 'heapPerFact', ' B', false],
  ['RSS per fact after the reads', 'rssPerFactAfterReads', ' B', false],
];

function best(list) {
  const out = { ...list[0] };
  for (const [, field, , higherIsBetter] of rows) {
    const values = list.map((r) => r[field]);
    out[field] = higherIsBetter ? Math.max(...values) : Math.min(...values);
  }
  return out;
}
const ts = best(results.ts);
const native = best(results.native);

const format = (n) => n.toLocaleString('en-US');
const ratio = (a, b) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);
const range = (list, field) => {
  const values = list.map((r) => r[field]);
  return `${format(Math.min(...values))}-${format(Math.max(...values))}`;
};
const lines = [
  `| measure | TS engine | native engine | native / TS | TS, all runs | native, all runs |`,
  `|---|---:|---:|---:|---:|---:|`,
  ...rows.map(
    ([label, field, unit]) =>
      `| ${label} | ${format(ts[field])}${unit} | ${format(native[field])}${unit} | ${ratio(native[field], ts[field])} | ${range(results.ts, field)} | ${range(results.native, field)} |`,
  ),
];
const table = lines.join('\n');
console.log(table);

const checks = [
  ['native writes/s >= 2x TS', native.writesPerSec >= 2 * ts.writesPerSec],
  ['native RSS per fact <= 1/2 of TS', native.rssPerFact * 2 <= ts.rssPerFact],
  ['native latest reads (cold) >= 0.8x TS', native.latestColdPerSec >= 0.8 * ts.latestColdPerSec],
  ['native as-of reads >= 0.8x TS', native.asOfPerSec >= 0.8 * ts.asOfPerSec],
];
for (const [what, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
const beyond = `not among the criteria, and not reached: history ${ratio(native.historyPerSec, ts.historyPerSec)} (${ratio(native.historyValuesPerSec, ts.historyValuesPerSec)} with every value read), full scans far slower; see below`;

if (record) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const loads = [...results.ts, ...results.native].flatMap((r) => r.load ?? []);
  const load =
    loads.length === 0
      ? 'load average not recorded'
      : `load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} during the runs (other work shared the machine)`;
  const machine = `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${load}`;
  const section = [
    '<!-- engine:start -->',
    '## Engine: native vs TS',
    '',
    `\`node benchmarks/engine/run.mjs\`: ${format(facts)} facts of ~100-byte JSON values over ${format(keys)} keys, written one by one through \`IgniterStore.write\`; each engine in its own process, ${runCount} runs each (alternating), best run per measure (the last two columns give the spread); for times and memory lower is better, so a ratio above 1 there means the native engine is slower or bigger. Machine: ${machine}.`,
    '',
    table,
    '',
    checks.map(([what, ok]) => `- ${ok ? 'met' : 'NOT met'}: ${what}`).join('\n'),
    `- ${beyond}`,
    '',
    readFileSync(join(here, 'NOTES.md'), 'utf8').trimEnd(),
    '<!-- engine:end -->',
  ].join('\n');
  const old = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n';
  const pattern = /<!-- engine:start -->[\s\S]*?<!-- engine:end -->/;
  const updated = pattern.test(old) ? old.replace(pattern, section) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsPath, updated);
  console.log(`recorded in ${resultsPath}`);
}
