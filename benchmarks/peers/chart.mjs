// The ratio chart as a standalone SVG: one group of bars per metric, on a log scale centred on
// 1x (bars to the right: Igniter better), with the issue's goals marked.
import { fmtRatio, GOALS, PAIRS } from './report.mjs';

const COLORS = {
  nativeVsLmdb: '#d9480f',
  nativeVsSqlite: '#f08c00',
  tsVsLmdb: '#1864ab',
  tsVsSqlite: '#74c0fc',
};
const BAR = 11;
const GAP = 14;
const LEFT = 250;
const PLOT = 560;
const TOP = 70;

function xmlText(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Renders the ratios of a report (see printReport) as SVG text. */
export function ratioChart(report) {
  const rows = report.ratioRows;
  const values = rows.flatMap((row) => Object.values(report.ratios[row.id])).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(0.5, ...values)));
  const hi = Math.ceil(Math.log10(Math.max(20, ...values)));
  const x = (v) => LEFT + ((Math.log10(v) - lo) / (hi - lo)) * PLOT;
  const groupHeight = PAIRS.length * BAR + GAP;
  const height = TOP + rows.length * groupHeight + 40;
  const width = LEFT + PLOT + 90;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    '<title>Igniter against lmdb-js and SQLite: ratios per measure, log scale</title>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">Igniter (file backend) against lmdb-js and SQLite: ratio, log scale, right of 1x = Igniter better</text>`,
    `<text x="12" y="38" fill="#555">${xmlText(`${report.size.facts.toLocaleString('en')} facts, ${report.size.keys.toLocaleString('en')} keys; ${report.machine.date.slice(0, 10)}, ${report.machine.cores} cores, Node ${report.machine.node}`)}</text>`,
  );
  PAIRS.forEach((pair, i) => {
    const lx = 12 + i * 170;
    out.push(
      `<rect x="${lx}" y="48" width="10" height="10" fill="${COLORS[pair.id]}"/>`,
      `<text x="${lx + 14}" y="57">${xmlText(pair.title)}</text>`,
    );
  });
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    out.push(
      `<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${height - 34}" stroke="${p === 0 ? '#000' : '#ddd'}" stroke-width="${p === 0 ? 1.2 : 1}"/>`,
      `<text x="${gx}" y="${height - 20}" text-anchor="middle" fill="#555">${p < 0 ? `1/${10 ** -p}` : 10 ** p}x</text>`,
    );
  }
  rows.forEach((row, r) => {
    const gy = TOP + r * groupHeight;
    out.push(
      `<text x="${LEFT - 8}" y="${gy + (PAIRS.length * BAR) / 2 + 4}" text-anchor="end">${xmlText(row.label)}</text>`,
    );
    PAIRS.forEach((pair, i) => {
      const v = report.ratios[row.id][pair.id];
      if (v === undefined) return;
      const y = gy + i * BAR;
      const x0 = x(1);
      const x1 = x(Math.min(Math.max(v, 10 ** lo), 10 ** hi));
      const left = Math.min(x0, x1);
      out.push(
        `<rect x="${left.toFixed(1)}" y="${y + 1}" width="${Math.max(Math.abs(x1 - x0), 1).toFixed(1)}" height="${BAR - 2}" fill="${COLORS[pair.id]}"/>`,
        `<text x="${(v >= 1 ? x1 + 3 : x1 - 3).toFixed(1)}" y="${y + BAR - 2}" font-size="9" text-anchor="${v >= 1 ? 'start' : 'end'}">${fmtRatio(v)}</text>`,
      );
    });
    const goal = GOALS.find((g) => g.row === row.id);
    if (goal) {
      const gx = x(goal.min);
      out.push(
        `<line x1="${gx}" y1="${gy - 2}" x2="${gx}" y2="${gy + BAR + 1}" stroke="#c92a2a" stroke-width="2" stroke-dasharray="3,2"/>`,
        `<text x="${gx + 3}" y="${gy - 3}" font-size="9" fill="#c92a2a">goal ${goal.min}x vs lmdb-js</text>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
