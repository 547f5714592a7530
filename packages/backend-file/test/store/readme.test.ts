import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';

describe(`README (${process.env.IGNITER_ENGINE} engine)`, () => {
  it('the example runs against the built packages and prints what its comments say', () => {
    const run = runReadmeExample(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
    expect(run.source).toContain("'./data/");
    expect(run.expected.length).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.printed).toEqual(run.expected);
  });
});
