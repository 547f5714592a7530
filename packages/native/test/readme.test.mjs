// The README's example, run against the built addon: each `expression; // answer` line must
// answer what its comment shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const require = createRequire(import.meta.url);

test('the README example answers what its comments show', (t) => {
  try {
    require('../index.js');
  } catch (error) {
    // As native.test.mjs: only a machine that cannot build the addon (no cargo) goes without it.
    const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
    if (error.code === 'ERR_NATIVE_UNAVAILABLE' && (cargo.error || cargo.status !== 0)) {
      return t.skip('the addon is not built and cargo is not on PATH');
    }
    throw error;
  }
  const source = /```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const shown = [];
  const body = source
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(.*?);\s*\/\/\s*(.*)$/.exec(line);
      if (!m) return line;
      shown.push({ line: m[2], answer: new Function(`return (${m[3]});`)() });
      return `${m[1]}answers.push(${m[2]});`;
    })
    .join('\n');
  const answers = [];
  new Function('require', 'answers', body)(
    (id) => require(id === '@igniter/native' ? '../index.js' : id),
    answers,
  );
  assert.equal(shown.length, 5);
  assert.deepEqual(
    answers.map((answer, i) => ({ line: shown[i]?.line, answer })),
    shown,
  );
});
