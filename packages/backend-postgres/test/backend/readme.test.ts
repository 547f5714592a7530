import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { pgUrl } from '../support/pg.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('README', () => {
  it('the example runs against a real server and prints what its comments say', () => {
    const { source, expected } = readmeExample(root);
    expect(expected).toHaveLength(4);
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: pgUrl },
      encoding: 'utf8',
    });
    expect(output.trimEnd().split('\n')).toEqual(expected);
  });
});
