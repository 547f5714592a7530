// Turns the children's results into the figures table, the ratio table and the goal check.

/** The columns of the table: a variant name and the phases that feed it. */
export const COLUMNS = [
  { id: 'nativeFile', title: 'Igniter native, file', name: 'igniter-native-file' },
  { id: 'tsFile', title: 'Igniter ts, file', name: 'igniter-ts-file' },
  { id: 'nativeMemory', title: 'Igniter native, memory', name: 'igniter-native-memory' },
  { id: 'tsMemory', title: 'Igniter ts, memory', name: 'igniter-ts-memory' },
  { id: 'lmdb', title: 'lmdb-js', name: 'lmdb' },
  { id: 'sqlite', title: 'SQLite', name: 'sqlite' },
];

const MB = 1024 * 1024;
/** The median round's rate where the figure ran in rounds, else the overall rate. */
const rate = (f) => (f ? (f.rate ?? (f.ops / f.ms) * 1000) : undefined);
const perOp = (f) => (f ? f.ms / f.ops : undefined);

/** `reader`: the phase that ran the reads (read, or memory for in-memory stores). */
const ROWS = [
  {
    id: 'singleWrites',
    label: 'Durable writes, one write per fact (in-memory columns: not durable)',
    unit: 'facts/s',
    better: 'higher',
    get: (p) => rate(p.single?.figures.singleWrites),
  },
  {
    id: 'writes',
    label: 'Durable writes, batches of 1000',
    unit: 'facts/s',
    better: 'higher',
    get: (p) => rate(p.load?.figures.writes),
  },
  {
    id: 'memoryWrites',
    label: 'Writes in memory (not durable)',
    unit: 'facts/s',
    better: 'higher',
    get: (p) => rate(p.memory?.figures.writes),
    noRatio: true,
  },
  {
    id: 'syncWrites',
    label: 'Sync writes, a commit + fsync each',
    unit: 'facts/s',
    better: 'higher',
    get: (p) => rate(p.sync?.figures.syncWrites),
  },
  {
    id: 'syncP50',
    label: 'Sync write latency, median',
    unit: 'ms',
    better: 'lower',
    get: (p) => p.sync?.figures.syncLatency?.p50,
  },
  {
    id: 'syncP99',
    label: 'Sync write latency, p99',
    unit: 'ms',
    better: 'lower',
    get: (p) => p.sync?.figures.syncLatency?.p99,
  },
  {
    id: 'open',
    label: 'Open a closed store',
    unit: 'ms',
    better: 'lower',
    get: (p) => p.read?.figures.open.ms,
  },
  {
    id: 'latestCold',
    label: 'Latest reads, each key once',
    unit: 'reads/s',
    better: 'higher',
    get: (p) => rate(p.reader?.figures.latestCold),
  },
  {
    id: 'latestWarm',
    label: 'Latest reads, same keys again',
    unit: 'reads/s',
    better: 'higher',
    get: (p) => rate(p.reader?.figures.latestWarm),
  },
  {
    id: 'asOf',
    label: 'As-of reads',
    unit: 'reads/s',
    better: 'higher',
    get: (p) => rate(p.reader?.figures.asOf),
  },
  {
    id: 'history',
    label: 'History of a key (10 facts)',
    unit: 'keys/s',
    better: 'higher',
    get: (p) => rate(p.reader?.figures.history),
  },
  {
    id: 'queryFirst',
    label: 'Query, first call',
    unit: 'ms',
    better: 'lower',
    get: (p) => p.reader?.figures.queryFirst.ms,
  },
  {
    id: 'queryAfterWrite',
    label: 'Query after a write',
    unit: 'ms',
    better: 'lower',
    get: (p) => perOp(p.reader?.figures.queryAfterWrite),
  },
  {
    id: 'disk',
    label: 'Disk',
    unit: 'MiB',
    better: 'lower',
    get: (p) => (p.load?.diskBytes === undefined ? undefined : p.load.diskBytes / MB),
  },
  {
    id: 'rssOpen',
    label: 'RSS after open / load',
    unit: 'MiB',
    better: 'lower',
    get: (p) => mem(p, 'rss', true),
  },
  {
    id: 'rssReads',
    label: 'RSS after reads',
    unit: 'MiB',
    better: 'lower',
    get: (p) => mem(p, 'rss', false),
  },
  {
    id: 'heapReads',
    label: 'JS heap after reads',
    unit: 'MiB',
    better: 'lower',
    get: (p) => mem(p, 'heapUsed', false),
  },
  {
    id: 'peakRss',
    label: 'Peak RSS of the reader',
    unit: 'MiB',
    better: 'lower',
    get: (p) => (p.reader ? p.reader.peakRss / MB : undefined),
  },
];

function mem(p, field, early) {
  const m = p.reader?.memory;
  if (!m) return undefined;
  const at = early ? (m.afterOpen ?? m.afterLoad) : m.afterReads;
  return at ? at[field] / MB : undefined;
}

/** Ratio pairs: Igniter column against a peer column; > 1 means Igniter is better. */
export const PAIRS = [
  { id: 'nativeVsLmdb', title: 'native vs lmdb-js', igniter: 'nativeFile', peer: 'lmdb' },
  { id: 'nativeVsSqlite', title: 'native vs SQLite', igniter: 'nativeFile', peer: 'sqlite' },
  { id: 'tsVsLmdb', title: 'ts vs lmdb-js', igniter: 'tsFile', peer: 'lmdb' },
  { id: 'tsVsSqlite', title: 'ts vs SQLite', igniter: 'tsFile', peer: 'sqlite' },
];

/**
 * The goals of issue 23 (native engine, file backend): a ratio against a peer (`pair`, default
 * lmdb-js), or against another Igniter column of the same row (`of`).
 */
export const GOALS = [
  { row: 'singleWrites', min: 2, label: 'durable writes, one write per fact >= 2x lmdb-js' },
  {
    row: 'singleWrites',
    of: 'nativeMemory',
    min: 0.8,
    label: 'durable writes, one write per fact >= 80% of the in-memory native rate',
  },
  { row: 'latestCold', min: 1.5, label: 'first reads after open >= 1.5x lmdb-js (each key read once)' },
  { row: 'latestWarm', min: 3, label: 'repeated latest reads >= 3x lmdb-js' },
  { row: 'asOf', min: 3, label: 'as-of reads >= 3x lmdb-js' },
  { row: 'syncP99', pair: 'nativeVsSqlite', min: 1 / 1.5, label: "fsync-mode p99 within 1.5x of SQLite's" },
];

/**
 * Sections also compared by CPU time of every thread of the process (robust against other
 * processes' load): the write phases (a writer thread's work included) and the single-threaded reads.
 */
const CPU_ROWS = [
  { id: 'singleWrites', phase: 'single', label: 'Durable write, one write per fact', unit: 'us' },
  { id: 'writes', phase: 'load', label: 'Durable write, batches of 1000', unit: 'us' },
  { id: 'syncWrites', phase: 'sync', label: 'Sync write, a commit + fsync each', unit: 'us' },
  { id: 'latestCold', label: 'Latest read, each key once', unit: 'us' },
  { id: 'latestWarm', label: 'Latest read, same keys again', unit: 'us' },
  { id: 'asOf', label: 'As-of read', unit: 'us' },
  { id: 'history', label: 'History of a key', unit: 'us' },
  { id: 'queryAfterWrite', label: 'Query after a write (ms)', unit: 'ms', scale: 1e-3 },
];

function cpuPerOp(p, section, scale = 1, phase = 'reader') {
  const f = p[phase]?.figures[section];
  return f?.cpuMs === undefined ? undefined : (f.cpuMs / f.ops) * 1000 * scale;
}

function phasesOf(results, name) {
  const pick = (phase) => results.find((r) => !r.failed && r.job.name === name && r.job.phase === phase);
  const p = {
    single: pick('single'),
    load: pick('load'),
    read: pick('read'),
    memory: pick('memory'),
    sync: pick('sync'),
  };
  p.reader = p.read ?? p.memory;
  return p;
}

function fmt(value, unit) {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (unit.endsWith('/s')) {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e5 ? 0 : 1)} k`;
    return value.toFixed(0);
  }
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(2);
}

export function fmtRatio(r) {
  if (r === undefined) return '-';
  if (r < 0.1) return `1/${Math.round(1 / r)}x`;
  return r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`;
}

function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Every read phase must have returned the same answers (sums of the `v` field and counts). */
function agreement(results) {
  const readers = results.filter((r) => !r.failed && (r.job.phase === 'read' || r.job.phase === 'memory'));
  const differ = [];
  for (const check of ['latestCold', 'latestWarm', 'asOf', 'history', 'queryFirst', 'queryAfterWrite']) {
    const values = new Set(readers.map((r) => String(r.checks[check])));
    if (values.size > 1)
      differ.push(`${check}: ${readers.map((r) => `${r.job.name}=${r.checks[check]}`).join(', ')}`);
  }
  return { readers: readers.length, differ };
}

/** Prints the report and returns what record.mjs writes. */
export function printReport(results, context) {
  const byColumn = Object.fromEntries(COLUMNS.map((c) => [c.id, phasesOf(results, c.name)]));
  const figures = {};
  for (const row of ROWS)
    figures[row.id] = Object.fromEntries(COLUMNS.map((c) => [c.id, row.get(byColumn[c.id])]));
  const figureTable = markdownTable(
    ['', ...COLUMNS.map((c) => c.title)],
    ROWS.map((row) => [
      `${row.label} (${row.unit})`,
      ...COLUMNS.map((c) => fmt(figures[row.id][c.id], row.unit)),
    ]),
  );
  const ratios = {};
  for (const row of ROWS) {
    if (row.noRatio) continue;
    ratios[row.id] = {};
    for (const pair of PAIRS) {
      const ig = figures[row.id][pair.igniter];
      const peer = figures[row.id][pair.peer];
      if (ig === undefined || peer === undefined) continue;
      ratios[row.id][pair.id] = row.better === 'higher' ? ig / peer : peer / ig;
    }
  }
  const ratioRows = ROWS.filter((row) => !row.noRatio);
  const ratioTable = markdownTable(
    ['Igniter (file backend) against', ...PAIRS.map((p) => p.title)],
    ratioRows.map((row) => [row.label, ...PAIRS.map((p) => fmtRatio(ratios[row.id][p.id]))]),
  );
  const cpu = {};
  for (const row of CPU_ROWS) {
    cpu[row.id] = Object.fromEntries(
      COLUMNS.map((c) => [c.id, cpuPerOp(byColumn[c.id], row.id, row.scale, row.phase)]),
    );
  }
  const cpuTable = markdownTable(
    ['CPU time per operation (us)', ...COLUMNS.map((c) => c.title)],
    CPU_ROWS.map((row) => [row.label, ...COLUMNS.map((c) => fmt(cpu[row.id][c.id], row.unit))]),
  );
  const goals = GOALS.map((g) => {
    const own = figures[g.row]?.nativeFile;
    const base = g.of === undefined ? undefined : figures[g.row]?.[g.of];
    const value = g.of === undefined ? ratios[g.row]?.[g.pair ?? 'nativeVsLmdb'] : own / base;
    const ig = cpu[g.row]?.nativeFile;
    const peer =
      g.of !== undefined ? cpu[g.row]?.[g.of] : g.pair === undefined ? cpu[g.row]?.lmdb : undefined;
    const cpuRatio = ig === undefined || peer === undefined ? undefined : peer / ig;
    return { ...g, value, cpuRatio, met: value !== undefined && value >= g.min };
  });
  const goalLines = goals.map(
    (g) =>
      `- ${g.met ? 'met' : 'NOT met'}: ${g.label}: ${fmtRatio(g.value)}` +
      (g.cpuRatio === undefined ? '' : ` (by CPU time: ${fmtRatio(g.cpuRatio)})`),
  );
  const agree = agreement(results);
  const failed = results.filter((r) => r.failed).map((r) => `${r.job.name} ${r.job.mode} ${r.job.phase}`);
  const describe = Object.fromEntries(
    results.filter((r) => !r.failed && r.describe).map((r) => [r.job.name, r.describe]),
  );

  console.log(
    `\n${figureTable}\n\nRatios (> 1: Igniter better; throughput ratio, or peer/Igniter for times and sizes)\n`,
  );
  console.log(`${ratioTable}\n\n${cpuTable}\n`);
  console.log(`Goals (native engine, file backend; issue 23):\n${goalLines.join('\n')}`);
  console.log(
    agree.differ.length === 0
      ? `\nAnswers agree across all ${agree.readers} reading processes.`
      : `\nANSWERS DIFFER:\n${agree.differ.join('\n')}`,
  );
  if (failed.length > 0) console.log(`\nFAILED: ${failed.join(', ')}`);
  console.log(`\n${context.machine.seconds} s in all`);
  return {
    ...context,
    figures,
    ratios,
    ratioRows,
    figureTable,
    ratioTable,
    cpuTable,
    goals,
    goalLines,
    agree,
    failed,
    describe,
  };
}
