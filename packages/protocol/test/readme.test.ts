import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, projectWith, runNode } from './support/built.js';
import { ENGINE } from './support/stores.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

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

let dir = '';
beforeAll(() => {
  assertBuilt();
  dir = projectWith(ENGINE === 'native' ? ['core', 'protocol', 'native'] : ['core', 'protocol']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`README (${ENGINE} engine)`, () => {
  it('the example runs and prints what its comments say', () => {
    const { source, expected } = example();
    expect(expected.length).toBeGreaterThan(5);
    expect(runNode(dir, source, 'module', ENGINE).trimEnd().split('\n')).toEqual(expected);
  });
});
