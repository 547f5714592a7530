import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { useInstalledCore } from './support/installed-core.js';

// A project that installed only the built @igniter/core: no @igniter/backend-file beside it.
const project = useInstalledCore('igniter-core-only-');
const probe = (source: string): unknown => project.run(source, { env: { IGNITER_ENGINE: 'ts' } }).stdout;

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
    expect(existsSync(join(project.dir(), 'copy.log'))).toBe(false);
  });

  it('still verifies: verify() needs no optional package', () => {
    const outcome = probe(`
      const { IgniterStore } = require('@igniter/core');
      const store = new IgniterStore();
      store.write({ store: 'a', key: 'k', value: 1 });
      store.verify().then((result) => console.log(JSON.stringify(result)));`);
    expect(outcome).toEqual({ ok: true, factsChecked: 1, problems: [], warnings: [] });
  });
});
