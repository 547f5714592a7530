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

function probe(source: string): unknown {
  // vitest's NODE_PATH reaches pnpm's hoisted store: drop it so only the project's modules resolve.
  const { NODE_PATH: _hoisted, ...env } = process.env;
  const result = spawnSync(process.execPath, ['-e', source], {
    cwd: project,
    env: { ...env, IGNITER_ENGINE: 'ts' },
    encoding: 'utf8',
  });
  return JSON.parse(result.stdout) as unknown;
}

const backupInMemory = `
  const path = require('node:path');
  const { IgniterStore } = require('@igniter/core');
  const store = new IgniterStore();
  store.write({ store: 'a', key: 'k', value: 1 });
  store.backup(path.join(process.cwd(), 'copy.log')).then(
    (result) => console.log(JSON.stringify(result)),
    (error) => console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })),
  );`;

describe(`backup of an in-memory store without @igniter/backend-file (${ENGINE_KIND} run)`, () => {
  it('rejects with ERR_MISSING_PACKAGE naming the package, and writes no file', () => {
    expect(probe(backupInMemory)).toEqual({
      name: 'IgniterError',
      code: 'ERR_MISSING_PACKAGE',
      message: '@igniter/backend-file is not installed; add it with: pnpm add @igniter/backend-file',
    });
    expect(existsSync(join(project, 'copy.log'))).toBe(false);
  });

  it('still verifies: verify() needs no optional package', () => {
    const outcome = probe(`
      const { IgniterStore } = require('@igniter/core');
      const store = new IgniterStore();
      store.write({ store: 'a', key: 'k', value: 1 });
      store.verify().then((result) => console.log(JSON.stringify(result)));`);
    expect(outcome).toEqual({ ok: true, factsChecked: 1, problems: [] });
  });
});
