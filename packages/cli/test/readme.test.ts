import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, tempDir } from './support/igniter.js';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
const bin = join(here, '..', 'dist', 'bin.js');
const temp = tempDir();
beforeAll(() => assertBuilt());
afterAll(() => temp.cleanup());

/** The example's shell lines (without `serve`, which runs until stopped) and the printed lines. */
function example(): { script: string; expected: string[] } {
  const section = readme.slice(readme.indexOf('## Example'));
  const blocks = [...section.matchAll(/```(?:sh)?\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const script = (blocks[0] ?? '').split('\nigniter serve')[0] ?? '';
  const expected = (blocks[1] ?? '')
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('igniter serving'));
  return { script, expected };
}

describe('README', () => {
  it('the example prints what the README shows (byte sizes and engine aside)', () => {
    const { script, expected } = example();
    const result = spawnSync('sh', ['-c', `igniter() { "${process.execPath}" "${bin}" "$@"; }\n${script}`], {
      cwd: temp.dir,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) =>
        line
          .replace(/"byteSize":\d+/g, '"byteSize":...')
          .replace(/"engine":"(ts|native)"/, '"engine":"native"'),
      );
    expect(lines).toEqual(expected);
    expect(readFileSync(join(temp.dir, 'tasks.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
