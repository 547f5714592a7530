import { join } from 'node:path';
import type { Fact, IgniterStore, Json } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-native-prop-');

/** Strings the store accepts: any well-formed text, plus ones aimed at the native reader. */
const text = fc.oneof(
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
const name = text.filter((s) => s.length > 0);
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
const input = fc.record({
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

/** Every fact by id and every key's current value, as JSON text (key order included). */
function snapshotOf(store: IgniterStore, facts: readonly Fact[]): string[] {
  return facts.map((f) => JSON.stringify([store.factById(f.id), store.read({ store: f.store, key: f.key })]));
}

describe('a native open against the JS decoder', () => {
  it('gives the same facts, values and key order for any facts a store writes', async () => {
    let runs = 0;
    let native = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 12 }), async (inputs) => {
        runs += 1;
        const path = join(temp.dir(), `run-${runs}`, 'app.log');
        const writer = openFileStore(path, { engine: 'ts', durability: 'none' });
        const facts: Fact[] = [];
        for (const i of inputs) {
          try {
            facts.push(writer.write(i));
          } catch {
            // An input the store refuses (a repeated idempotency key with another value) is
            // refused alike on both engines; it writes nothing.
          }
        }
        await writer.close();
        const probe = new FileBackend(path, { engine: 'native' });
        if (probe.takePreloaded() !== undefined) native += 1;
        probe.closeSync();
        const js = openFileStore(path, { engine: 'ts' });
        const expected = snapshotOf(js, facts);
        await js.close();
        const rust = openFileStore(path, { engine: 'native' });
        expect(snapshotOf(rust, facts)).toEqual(expected);
        expect(rust.factCount()).toBe(new Set(facts.map((f) => f.id)).size);
        await rust.close();
      }),
      { numRuns: 150, seed: 20261127 },
    );
    // Most logs take the native path; a NUL-led causation or key sends one to the JS decoder.
    expect(native).toBeGreaterThan(runs / 2);
  });
});
