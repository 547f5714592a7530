import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pgUrl } from '../support/pg.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

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
  it('the example runs against a real server and prints what its comments say', () => {
    const { source, expected } = example();
    expect(expected).toHaveLength(4);
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: pgUrl },
      encoding: 'utf8',
    });
    expect(output.trimEnd().split('\n')).toEqual(expected);
  });
});
