import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The first js block after "## Example" in the README of the package at `packageDir`, and the
 * `// output` comment of each of its console.log lines, for a test that runs the example and
 * compares what it prints.
 */
export function readmeExample(packageDir: string): { source: string; expected: string[] } {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Example'));
  const source = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const expected = source
    .split('\n')
    .filter((line) => line.trimStart().startsWith('console.log('))
    .map((line) => line.slice(line.lastIndexOf('// ') + 3));
  return { source, expected };
}
