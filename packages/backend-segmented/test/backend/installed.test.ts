import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InstalledApp, installedApp } from '@igniter/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/child.js';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let app: InstalledApp;

// An application that installed @igniter/core and @igniter/backend-segmented (built packages,
// as npm lays them out), without the native addon.
beforeAll(() => {
  assertBuilt();
  app = installedApp(packages, ['core', 'backend-segmented']);
});

afterAll(() => app.remove());

const run = (script: string, type: 'module' | 'commonjs'): unknown => app.run(script, type);

const body = (dir: string, other: string): string => `
  const first = new IgniterStore({ backend: new SegmentedFileBackend('${dir}') });
  first.write({ store: 'tasks', key: 't1', value: { done: true } });
  let locked;
  try { new Other('${dir}'); } catch (error) { locked = error.code; }
  await first.close();
  const second = new IgniterStore({ backend: new SegmentedFileBackend('${dir}') });
  const out = { value: second.read({ store: 'tasks', key: 't1' }), backend: second.storageStats().backend, locked, other: '${other}' };
  await second.close();
  console.log(JSON.stringify(out));
`;

describe('an application with @igniter/core and @igniter/backend-segmented installed', () => {
  it('works from ESM, and holds one writer lock across the ESM and CommonJS builds', () => {
    const out = run(
      `import { createRequire } from 'node:module';
       import { IgniterStore } from '@igniter/core';
       import { SegmentedFileBackend } from '@igniter/backend-segmented';
       const Other = createRequire(import.meta.url)('@igniter/backend-segmented').SegmentedFileBackend;
       ${body('esm-data', 'cjs')}`,
      'module',
    );
    expect(out).toEqual({ value: { done: true }, backend: 'segmented', locked: 'ERR_LOCKED', other: 'cjs' });
  });

  it('works from CommonJS', () => {
    const out = run(
      `const { IgniterStore } = require('@igniter/core');
       const { SegmentedFileBackend } = require('@igniter/backend-segmented');
       const Other = SegmentedFileBackend;
       (async () => { ${body('cjs-data', 'cjs')} })();`,
      'commonjs',
    );
    expect(out).toEqual({ value: { done: true }, backend: 'segmented', locked: 'ERR_LOCKED', other: 'cjs' });
  });
});
