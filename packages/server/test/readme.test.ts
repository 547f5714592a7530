import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('the example runs against the built package and prints what its comments say', () => {
    const { source, expected } = readmeExample(root);
    expect(expected.length).toBe(4);
    // Run from the package folder: `@igniter/server` resolves to its own built exports.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
