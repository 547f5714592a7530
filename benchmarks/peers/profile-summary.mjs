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

function baseName(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

/**
 * V8 names every napi callback after one of them, so time spent inside the addon is shown as
 * "[Rust] <the @igniter/native function that called it>".
 */
function frameName(node, parentNode) {
  if (node.callFrame.url === '' && parentNode?.callFrame.url.includes('native/index.js')) {
    return `[Rust] ${parentNode.callFrame.functionName}`;
  }
  return baseName(node);
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
    const nodes = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) nodes.push(byId.get(cur));
    if (nodes[0].callFrame.functionName === '(idle)') continue;
    const chain = nodes.map((n, i) => frameName(n, nodes[i + 1]));
    // The profiler's own start/stop calls are not the section's work.
    if (chain.some((name) => name.startsWith('profileStart') || name.startsWith('profileStop'))) continue;
    total += t;
    self.set(chain[0], (self.get(chain[0]) ?? 0) + t);
    for (const name of new Set(chain)) inclusive.set(name, (inclusive.get(name) ?? 0) + t);
    if (under) {
      const at = chain.findIndex((name) => under.test(name));
      if (at >= 0) {
        const callee = at === 0 ? '(self)' : chain[at - 1];
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
