import { describe, expect, it } from 'vitest';
import { ENGINE_KIND, engineUnderTest } from './support/engine.js';

const engine = engineUnderTest();

function rejection(value: unknown): unknown {
  try {
    engine.canonicalJson(value);
  } catch (error) {
    return error;
  }
  return undefined;
}

class Point {
  x = 1;
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const sparse: unknown[] = [1];
sparse[2] = 3;

describe(`value validation per ARCHITECTURE.md D1 (${ENGINE_KIND} engine)`, () => {
  it.each([
    ['undefined at the top', undefined],
    ['undefined as a property', { a: undefined }],
    ['undefined in an array', [1, undefined]],
    ['a function', { f: () => 1 }],
    ['a symbol', { s: Symbol('x') }],
    ['a bigint', { n: 10n }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', { d: new Date(0) }],
    ['a Map', new Map()],
    ['a class instance', new Point()],
    ['a cycle', cyclic],
    ['a sparse array', sparse],
    ['a lone high surrogate in a value', { s: 'a\uD800' }],
    ['a lone low surrogate in a key', { '\uDC00': 1 }],
    ['nesting deeper than 512 levels', JSON.parse(`${'['.repeat(600)}${']'.repeat(600)}`)],
  ])('rejects %s with ERR_INVALID_VALUE', (_name, value) => {
    expect(rejection(value)).toMatchObject({ name: 'IgniterError', code: 'ERR_INVALID_VALUE' });
  });

  it('accepts objects with a null prototype', () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [true] });
    expect(engine.canonicalJson(value)).toBe('{"a":[true],"b":1}');
  });

  it('accepts the same object twice when it is shared but not cyclic', () => {
    const shared = { z: 1 };
    expect(engine.canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"z":1},"b":[{"z":1}]}');
  });

  it('names the offending path in the message', () => {
    expect(rejection({ a: [{ b: undefined }] })).toMatchObject({
      message: expect.stringContaining('value.a[0].b'),
    });
  });

  it('hashes the UTF-8 bytes of the canonical form', () => {
    expect(engine.sha256Hex('{"a":1}')).toBe(engine.valueHash({ a: 1 }));
    expect(engine.sha256Hex('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    expect(engine.valueHash('é')).toBe('f2886017e9c7abacf804b54d64787dce2b611c9544ba21f3affdd126a6e50086');
  });
});
