import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InstalledApp, installedApp } from '@igniter/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/child.js';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let app: InstalledApp;

// An application that installed @igniter/core and @igniter/backend-file (built packages, as
// npm lays them out), without the native addon.
beforeAll(() => {
  assertBuilt();
  app = installedApp(packages, ['core', 'backend-file']);
});

afterAll(() => app.remove());

const run = (script: string, type: 'module' | 'commonjs'): unknown => app.run(script, type);

// IgniterStore.open loads the build of @igniter/backend-file of the caller's module system, so
// the ERR_LOCKED it raises is an instance of the IgniterError the caller imported.
const body = (path: string): string => `
  const first = IgniterStore.open('${path}', { durability: 'fsync' });
  first.write({ store: 'tasks', key: 't1', value: { done: true } });
  let locked;
  try { openFileStore('${path}'); } catch (error) { locked = error.code; }
  let viaOpen;
  try { IgniterStore.open('${path}'); } catch (error) {
    viaOpen = [error.code, error instanceof IgniterError, error instanceof Error];
  }
  await first.close();
  const second = openFileStore('${path}');
  const out = {
    value: second.read({ store: 'tasks', key: 't1' }),
    stats: second.storageStats(),
    locked,
    viaOpen,
    sameStore: second instanceof IgniterStore,
  };
  await second.close();
  console.log(JSON.stringify(out));
`;

describe('an application with @igniter/core and @igniter/backend-file installed', () => {
  it('IgniterStore.open(path) and openFileStore work from ESM with one copy of core: instanceof holds', () => {
    const out = run(
      `import { IgniterError, IgniterStore } from '@igniter/core'; import { openFileStore } from '@igniter/backend-file';\n${body('esm/app.log')}`,
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
      viaOpen: ['ERR_LOCKED', true, true],
      sameStore: true,
    });
  });

  it('and from CommonJS', () => {
    const out = run(
      `const { IgniterError, IgniterStore } = require('@igniter/core'); const { openFileStore } = require('@igniter/backend-file');
       (async () => { ${body('cjs/app.log')} })();`,
      'commonjs',
    );
    expect(out).toMatchObject({
      value: { done: true },
      stats: { backend: 'file', factCount: 1 },
      locked: 'ERR_LOCKED',
      viaOpen: ['ERR_LOCKED', true, true],
      sameStore: true,
    });
  });

  // The application never imports @igniter/backend-file: core loads it, in the caller's system.
  const lockedTwice = (path: string): string => `
    const first = IgniterStore.open('${path}');
    let second;
    try { IgniterStore.open('${path}'); } catch (error) {
      second = [error.code, error instanceof IgniterError];
    }
    await first.close();
    console.log(JSON.stringify({ second, reopened: IgniterStore.open('${path}').storageStats().backend }));
  `;

  it('ERR_LOCKED from IgniterStore.open is an IgniterError for an ESM caller that imports only core', () => {
    const out = run(
      `import { IgniterError, IgniterStore } from '@igniter/core';\n${lockedTwice('esm-only/app.log')}`,
      'module',
    );
    expect(out).toEqual({ second: ['ERR_LOCKED', true], reopened: 'file' });
  });

  it('and for a CommonJS caller that requires only core', () => {
    const out = run(
      `const { IgniterError, IgniterStore } = require('@igniter/core');
       (async () => { ${lockedTwice('cjs-only/app.log')} })();`,
      'commonjs',
    );
    expect(out).toEqual({ second: ['ERR_LOCKED', true], reopened: 'file' });
  });
});
