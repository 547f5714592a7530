import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample } from '@igniter/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, projectWith, runNode } from './support/built.js';
import { ENGINE } from './support/stores.js';

let dir = '';
beforeAll(() => {
  assertBuilt();
  dir = projectWith(ENGINE === 'native' ? ['core', 'protocol', 'native'] : ['core', 'protocol']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`README (${ENGINE} engine)`, () => {
  it('the example runs and prints what its comments say', () => {
    const { source, expected } = readmeExample(join(dirname(fileURLToPath(import.meta.url)), '..'));
    expect(expected.length).toBeGreaterThan(5);
    expect(runNode(dir, source, 'module', ENGINE).trimEnd().split('\n')).toEqual(expected);
  });
});
