import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';

const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let project = '';

// A project that installed only the built @igniter/core: no @igniter/backend-file beside it.
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'igniter-core-only-'));
  const target = join(project, 'node_modules', '@igniter', 'core');
  mkdirSync(target, { recursive: true });
  cpSync(join(coreDir, 'dist'), join(target, 'dist'), { recursive: true });
  cpSync(join(coreDir, 'package.json'), join(target, 'package.json'));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

function probe(source: string, type: 'commonjs' | 'module'): unknown {
  // vitest's NODE_PATH reaches pnpm's hoisted store: drop it so only the project's modules resolve.
  const { NODE_PATH: _hoisted, ...env } = process.env;
  const args = type === 'module' ? ['--input-type=module', '-e', source] : ['-e', source];
  const result = spawnSync(process.execPath, args, {
    cwd: project,
    env: { ...env, IGNITER_ENGINE: 'ts' },
    encoding: 'utf8',
  });
  return JSON.parse(result.stdout) as unknown;
}

const report = `
  try {
    IgniterStore.open(path.join(process.cwd(), 'data.log'));
    console.log(JSON.stringify({ opened: true }));
  } catch (error) {
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
  }`;

describe(`IgniterStore.open without @igniter/backend-file (${ENGINE_KIND} run)`, () => {
  it('throws ERR_MISSING_PACKAGE naming the package, from the CommonJS build', () => {
    const outcome = probe(
      `const path = require('node:path'); const { IgniterStore } = require('@igniter/core');${report}`,
      'commonjs',
    );
    expect(outcome).toMatchObject({
      name: 'IgniterError',
      code: 'ERR_MISSING_PACKAGE',
      message: expect.stringContaining('@igniter/backend-file'),
    });
  });

  it('throws ERR_MISSING_PACKAGE from the ESM build too', () => {
    const outcome = probe(
      `import path from 'node:path'; import { IgniterStore } from '@igniter/core';${report}`,
      'module',
    );
    expect(outcome).toMatchObject({ name: 'IgniterError', code: 'ERR_MISSING_PACKAGE' });
  });

  it('creates no data file when it fails', () => {
    probe(
      `const path = require('node:path'); const { IgniterStore } = require('@igniter/core');${report}`,
      'commonjs',
    );
    expect(existsSync(join(project, 'data.log'))).toBe(false);
  });
});
