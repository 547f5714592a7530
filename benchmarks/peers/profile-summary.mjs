// Top frames of the per-section CPU profiles that `run.mjs --profile=DIR` writes.
//   node peers/profile-summary.mjs DIR [file-filter] [--top=N] [--under=function-regex]
// Prints, per profile: self time and inclusive time by function (share of the section), or with
// --under, the time spent under the matching frame split by the function it called.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
const filter = args[1] && !args[1].startsWith('--') ? new RegExp(args[1]) : undefined;
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 15);
const underArg = args.find((a) => a.startsWith('--under='));
const under = underArg ? new RegExp(underArg.slice(8)) : undefined;

function frameName(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfTime = new Map();
  profile.samples.forEach((id, i) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const self = new Map();
  const inclusive = new Map();
  const split = new Map();
  let total = 0;
  for (const [id, t] of selfTime) {
    const chain = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur));
    if (chain[0].callFrame.functionName === '(idle)') continue;
    total += t;
    const own = frameName(chain[0]);
    self.set(own, (self.get(own) ?? 0) + t);
    for (const name of new Set(chain.map(frameName))) inclusive.set(name, (inclusive.get(name) ?? 0) + t);
    if (under) {
      const at = chain.findIndex((n) => under.test(frameName(n)));
      if (at >= 0) {
        const callee = at === 0 ? '(self)' : frameName(chain[at - 1]);
        split.set(callee, (split.get(callee) ?? 0) + t);
      }
    }
  }
  return { self, inclusive, split, total };
}

function print(title, map, total) {
  console.log(`  ${title}`);
  for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `    ${(t / 1000).toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${name}`,
    );
  }
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()) {
  if (filter && !filter.test(file)) continue;
  const { self, inclusive, split, total } = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled (idle excluded)`);
  if (under) {
    const inside = [...split.values()].reduce((a, b) => a + b, 0);
    print(
      `under ${under.source}: ${(inside / 1000).toFixed(0)} ms, ${((100 * inside) / total).toFixed(1)} % (share of the section)`,
      split,
      total,
    );
  } else {
    print('self time', self, total);
    print('inclusive time', inclusive, total);
  }
}
