import type { Json } from '@igniter/core';
import fc from 'fast-check';

// Generators of write inputs for the open-path property tests: any text the store accepts,
// plus strings aimed at the fast readers (escapes, non-ASCII, NUL, numeric-looking keys).

/** Strings the store accepts: any well-formed text, plus ones aimed at the native reader. */
export const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !/\p{Cs}/u.test(s)),
  fc.constantFrom(
    'é😀',
    'tab\there',
    'q"uote',
    'back\\slash',
    '\u2028',
    '\u0000nul first',
    '\u{e000}',
    '10',
    '2',
  ),
);
export const name = text.filter((s) => s.length > 0);
const key = fc.oneof(
  fc.constantFrom('a', 'b', '10', '2', 'é', '😀', '\u{e000}', '__proto__', '', 'x y'),
  text,
);
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    text,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));
export const input = fc.record({
  store: fc.constantFrom('s', 'ünï ✓', 'q"s'),
  key: name,
  value: json,
  causation: fc.option(name, { nil: undefined }),
  idempotencyKey: fc.option(name, { nil: undefined }),
  producer: fc.option(fc.record({ kind: fc.constantFrom('fact_prune', 'import'), n: fc.integer() }), {
    nil: undefined,
  }),
  validTime: fc.option(fc.integer({ min: -1e12, max: 4e12 }), { nil: undefined }),
});
