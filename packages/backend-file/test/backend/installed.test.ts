import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/child.js';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let project = '';

// An application that installed @igniter/core and @igniter/backend-file (built packages, as
// npm lays them out), without the native addon.
beforeAll(() => {
  assertBuilt();
  project = mkdtempSync(join(tmpdir(), 'igniter-app-'));
  for (const name of ['core', 'backend-file']) {
    const target = join(project, 'node_modules', '@igniter', name);
    mkdirSync(target, { recursive: true });
    cpSync(join(packages, name, 'dist'), join(target, 'dist'), { recursive: true });
    cpSync(join(packages, name, 'package.json'), join(target, 'package.json'));
  }
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

function run(script: string, type: 'module' | 'commonjs'): unknown {
  const result = spawnSync(process.execPath, [`--input-type=${type}`, '-e', script], {
    cwd: project,
    env: { ...process.env, IGNITER_ENGINE: 'ts' },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

// IgniterStore.open loads the CommonJS build of @igniter/backend-file, whatever the caller's.
const body = (path: string): string => `
  const first = IgniterStore.open('${path}', { durability: 'fsync' });
  first.write({ store: 'tasks', key: 't1', value: { done: true } });
  let locked;
  try { openFileStore('${path}'); } catch (error) { locked = error.code; }
  await first.close();
  const second = openFileStore('${path}');
  const out = { value: second.read({ store: 'tasks', key: 't1' }), stats: second.storageStats(), locked };
  await second.close();
  console.log(JSON.stringify(out));
`;

describe('an application with @igniter/core and @igniter/backend-file installed', () => {
  it('IgniterStore.open(path) and openFileStore work from ESM, one writer across both builds', () => {
    const out = run(
      `import { IgniterStore } from '@igniter/core'; import { openFileStore } from '@igniter/backend-file';\n${body('esm/app.log')}`,
      'module',
    );
    expect(out).toEqual({
      value: { done: true },
      stats: {
        backend: 'file',
        factCount: 1,
        byteSize: expect.any(Number),
        recoveredTailBytes: 0,
        recovered: [],
        stores: { tasks: { factCount: 1, byteSize: expect.any(Number) } },
      },
      locked: 'ERR_LOCKED',
    });
  });

  it('and from CommonJS', () => {
    const out = run(
      `const { IgniterStore } = require('@igniter/core'); const { openFileStore } = require('@igniter/backend-file');
       (async () => { ${body('cjs/app.log')} })();`,
      'commonjs',
    );
    expect(out).toMatchObject({
      value: { done: true },
      stats: { backend: 'file', factCount: 1 },
      locked: 'ERR_LOCKED',
    });
  });
});
