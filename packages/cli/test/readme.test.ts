import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, exited, igniterProcess, tempDir } from './support/igniter.js';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
const bin = join(here, '..', 'dist', 'bin.js');
const temp = tempDir();
beforeAll(() => assertBuilt());
afterAll(() => temp.cleanup());

/**
 * The example's shell lines before `serve` (which runs until stopped) and what they print; then
 * the `serve` line's arguments and what it prints up to and after Ctrl-C.
 */
function example(): { script: string; expected: string[]; serveArgs: string[]; served: string[] } {
  const section = readme.slice(readme.indexOf('## Example'));
  const blocks = [...section.matchAll(/```(?:sh)?\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const [script = '', serveLine = ''] = (blocks[0] ?? '').split('\nigniter serve ');
  const printed = (blocks[1] ?? '').trimEnd().split('\n');
  const serving = printed.findIndex((line) => line.startsWith('igniter serving'));
  return {
    script,
    expected: printed.slice(0, serving),
    serveArgs: (serveLine.split(/\s+#/)[0] ?? '').trim().split(/\s+/),
    served: printed.slice(serving),
  };
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

  it('its serve line prints what the README shows, and Ctrl-C drains and exits 0', async () => {
    const { serveArgs, served } = example();
    expect(serveArgs).toEqual(['./data/app.log']);
    // The store the example above filled; port 0 stands in for the README's 7300.
    const server = await igniterProcess(
      ['serve', ...serveArgs, '--port', '0', '--log-level', 'silent'],
      /stop: Ctrl-C\n/,
      temp.dir,
    );
    server.child.kill('SIGINT');
    expect(await exited(server.child)).toBe(0);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(server.output())?.[1] ?? '(no url)';
    const lines = server
      .output()
      .trimEnd()
      .split('\n')
      .map((line) =>
        line.replaceAll(url, 'http://127.0.0.1:7300').replace(/\((ts|native) engine/, '(native engine'),
      );
    expect(lines).toEqual(served);
  });
});
