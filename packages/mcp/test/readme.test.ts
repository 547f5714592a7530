import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The first js block after "## Example", and the `// output` comment of each console.log line. */
function example(): { source: string; expected: string[] } {
  const section = readme.slice(readme.indexOf('## Example'));
  const source = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const expected = source
    .split('\n')
    .filter((line) => line.trimStart().startsWith('console.log('))
    .map((line) => line.slice(line.lastIndexOf('// ') + 3));
  return { source, expected };
}

describe('README', () => {
  it('the example runs against the built package and prints what its comments say', () => {
    expect(existsSync(join(packageDir, 'dist', 'index.js'))).toBe(true);
    const { source, expected } = example();
    expect(expected.length).toBe(5);
    // Run from the package folder: `@igniter/mcp` resolves to this package's build (its own
    // name), the SDK and core to its dependencies.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
