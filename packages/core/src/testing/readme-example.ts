import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * Runs the README example of the package at `packageDir` (see {@link readmeExample}) with node,
 * from that folder so that the package resolves to its own built exports, its `'./data/...'`
 * paths moved to a temp folder removed afterwards. Returns what it printed (stdout as lines,
 * stderr) and what its comments say it prints.
 */
export function runReadmeExample(packageDir: string): {
  printed: string[];
  stderr: string;
  expected: string[];
  source: string;
} {
  const { source, expected } = readmeExample(packageDir);
  const dir = mkdtempSync(join(tmpdir(), 'igniter-readme-'));
  try {
    const moved = source.replaceAll("'./data/", `'${join(dir, 'data')}/`);
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', moved], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    return { printed: result.stdout.trimEnd().split('\n'), stderr: result.stderr, expected, source };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
