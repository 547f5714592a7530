import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { useInstalledCore } from './support/installed-core.js';

// A project that installed only the built @igniter/core: no @igniter/backend-file beside it.
const project = useInstalledCore('igniter-core-only-');
const probe = (source: string, type: 'commonjs' | 'module'): unknown =>
  project.run(source, { type, env: { IGNITER_ENGINE: 'ts' } }).stdout;

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
    expect(existsSync(join(project.dir(), 'data.log'))).toBe(false);
  });
});
