import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';

// The first-contact snippets of the root README ("In a program") and of this package's README
// show each call's answer as a comment: `store.read(...); // { status: 'done', ... }`. Each such
// line is run and its answer compared with the comment (parsed as a JS literal, a trailing
// "(...)" remark aside), as JSON, so key order counts too.
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

/** The first ```ts block after `marker` in the README at `path`. */
function snippet(path: string, marker: string): string {
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(marker);
  expect(from).toBeGreaterThanOrEqual(0);
  return /```ts\n([\s\S]*?)```/.exec(text.slice(from))?.[1] ?? '';
}

/** Runs `source` (its import of IgniterStore dropped) and pairs each commented answer with the real one. */
function answers(source: string): Array<{ line: string; shown: string; actual: string }> {
  const checks: Array<{ line: string; shown: string }> = [];
  const body = source
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .map((line) => {
      const m = /^(store\..*?);\s*\/\/\s*(.*)$/.exec(line);
      if (!m) return line;
      const literal = (m[2] ?? '').replace(/\s+\(.*\)$/, '');
      checks.push({ line: m[1] ?? '', shown: JSON.stringify(new Function(`return (${literal});`)()) });
      return `results.push(JSON.stringify(${m[1]}));`;
    })
    .join('\n');
  const results: string[] = [];
  new Function('IgniterStore', 'results', body)(IgniterStore, results);
  return checks.map((check, i) => ({ ...check, actual: results[i] ?? '(not run)' }));
}

describe(`README first-contact snippets (${ENGINE_KIND} engine)`, () => {
  it.each([
    ['README.md', join(repo, 'README.md'), 'In a program:', 3],
    ['packages/core/README.md', join(here, '..', 'README.md'), 'pnpm add @igniter/core', 7],
  ] as const)('%s: every commented answer is what the call returns', (_, path, marker, count) => {
    const checked = answers(snippet(path, marker));
    expect(checked).toHaveLength(count);
    for (const { line, shown, actual } of checked) expect({ line, actual }).toEqual({ line, actual: shown });
  });
});
