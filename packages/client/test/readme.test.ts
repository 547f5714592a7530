import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('the example runs against the built packages and prints what its comments say', () => {
    expect(existsSync(join(packageDir, 'dist', 'index.js'))).toBe(true);
    const { source, expected } = readmeExample(packageDir);
    expect(expected.length).toBeGreaterThan(5);
    // Run from the package folder: `@igniter/client` resolves to this package's build (its own
    // name), `@igniter/server` to the workspace's.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
