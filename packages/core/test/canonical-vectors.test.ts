import { describe, expect, it } from 'vitest';
import { IgniterError } from '../src/errors.js';
import { ENGINE_KIND, engineUnderTest } from './support/engine.js';
import { vectors } from './support/vectors.js';

const engine = engineUnderTest();

describe(`golden canonical JSON vectors (${ENGINE_KIND} engine)`, () => {
  it('runs on the engine it was asked for', () => {
    expect(engine.kind).toBe(ENGINE_KIND);
  });

  it.each(vectors.valid)('canonicalizes "$name"', (vector) => {
    const value: unknown = JSON.parse(vector.input);
    expect(engine.canonicalJson(value)).toBe(vector.canonical);
    expect(engine.valueHash(value)).toBe(vector.sha256);
  });

  it.each(vectors.invalid)('rejects "$name" with ERR_INVALID_VALUE', (vector) => {
    const value: unknown = JSON.parse(vector.input);
    expect(() => engine.canonicalJson(value)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VALUE' }));
    expect(() => engine.valueHash(value)).toThrowError(IgniterError);
  });
});
