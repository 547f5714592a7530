import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A README shows an example program as a js block whose first line is `// examples/<name>.mjs...`,
// followed by a text block of what it prints. Both must be the example and its expected output
// verbatim: examples.test.ts runs every example on both engines, so a README example that drifts
// from the code fails here.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, '..');
const readmes = [
  'README.md',
  ...readdirSync(join(repo, 'packages')).map((name) => join('packages', name, 'README.md')),
].filter((path) => {
  try {
    readFileSync(join(repo, path));
    return true;
  } catch {
    return false;
  }
});

const BLOCK = /```js\n(\/\/ examples\/([\w-]+)\.mjs[\s\S]*?)```\n\n[^\n`]*\n\n```text\n([\s\S]*?)```/g;

const shown = readmes.flatMap((readme) =>
  [...readFileSync(join(repo, readme), 'utf8').matchAll(BLOCK)].map((m) => ({
    readme,
    name: m[2] as string,
    source: m[1] as string,
    output: m[3] as string,
  })),
);

describe('examples shown in the READMEs', () => {
  it('shows each example of the v1 amendments in the README of its package', () => {
    expect(shown.map((s) => `${s.readme}: ${s.name}`).sort()).toEqual([
      'packages/backend-file/README.md: bad-paths',
      'packages/backend-segmented/README.md: segment-retention',
      'packages/core/README.md: proof-hash',
      'packages/core/README.md: reopen',
      'packages/core/README.md: strict-inputs',
    ]);
  });

  it.each(shown.map((s) => [`${s.readme}: ${s.name}`, s] as const))(
    '%s is the example program verbatim',
    (_, { name, source }) => {
      expect(source).toBe(readFileSync(join(root, `${name}.mjs`), 'utf8'));
    },
  );

  it.each(shown.map((s) => [`${s.readme}: ${s.name}`, s] as const))(
    '%s shows what the program prints',
    (_, { name, output }) => {
      expect(output).toBe(readFileSync(join(root, 'expected', `${name}.txt`), 'utf8'));
    },
  );
});
