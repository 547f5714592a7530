import { describe, expect, it } from 'vitest';
import { canonicalJsonTs } from '../src/canonical.js';
import type { Json } from '../src/json.js';
import { seededRandom } from '../src/testing/crash-harness.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

/**
 * Value reads of flat objects: the native engine builds them from the members its log read
 * (key sequence ids, numbers parsed in Rust, strings kept in step on both sides; see
 * `crates/igniter-napi/src/native_log/flat_read.rs`). Every read must give exactly what
 * `JSON.parse` of the canonical text (keys in canonical order) gives, on either engine.
 */

/** Keys and their order, each member by `Object.is`, prototype, deep-frozen. */
function expectExactly(actual: Json | undefined, expected: Json): void {
  expect(Object.isFrozen(actual)).toBe(true);
  expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
  expect(Reflect.ownKeys(actual as object)).toEqual(Reflect.ownKeys(expected as object));
  for (const [key, want] of Object.entries(expected as object)) {
    const got = (actual as Record<string, unknown>)[key];
    if (typeof want === 'object' && want !== null) expect(got).toEqual(want);
    else expect(Object.is(got, want), `${key}: ${String(got)} against ${String(want)}`).toBe(true);
  }
}

const NUMBERS = [0, -0, 1, -1, 0.1, 0.5, -2.25, 1e21, 1e-7, 123456789012345, 1234567890123456, 2 ** 53 + 2];
NUMBERS.push(Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 0.30000000000000004, 5e-324);

describe(`value reads of flat objects (${ENGINE_KIND} engine)`, () => {
  it('give exactly what JSON.parse gives, latest and as of a time, through kept and new strings', () => {
    const { store, time } = newStore();
    const next = seededRandom(7);
    const statuses = ['open', 'shut', '', 'a"b', 'x\\y', 'é', 'long'.repeat(9)];
    const written = new Map<string, Json[]>();
    for (let round = 0; round < 3; round++) {
      time.set(1_000 * (round + 1));
      for (let k = 0; k < 400; k++) {
        const key = `k${k}`;
        const value: Json = {
          amount: NUMBERS[Math.floor(next() * NUMBERS.length)] as number,
          // 400 distinct: past the kept strings' trial every one is a plain slice.
          customer: `c-${k}`,
          // Few distinct, some never read by Rust (escapes, non-ASCII), one too long to keep.
          status: statuses[(k + round) % statuses.length] as string,
          flag: k % 3 === 0 ? null : k % 3 === 1,
          // More distinct than are kept (16), fewer than the trial.
          region: `eu-${k % 20}`,
        };
        store.write({ store: 'orders', key, value });
        written.set(key, [...(written.get(key) ?? []), value]);
      }
    }
    const expected = (key: string, version: number) =>
      JSON.parse(canonicalJsonTs((written.get(key) as Json[])[version])) as Json;
    // Each key once (first reads), again (cached or memo), then as of each version's time.
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < 400; k++)
        expectExactly(store.read({ store: 'orders', key: `k${k}` }), expected(`k${k}`, 2));
    for (let version = 0; version < 3; version++)
      for (let k = 399; k >= 0; k--)
        expectExactly(
          store.read({ store: 'orders', key: `k${k}`, asOf: 1_000 * (version + 1) }),
          expected(`k${k}`, version),
        );
  });

  it('tell shapes apart by their keys and order, past the shapes a log gives ids to', () => {
    const { store } = newStore();
    const values: Json[] = [
      { a: 1, b: 'x' },
      { b: 'x', a: 1 },
      { ab: 1 },
      { a: 'x' },
      { a: { b: 1 } },
      [1, 'x'],
      'x',
    ];
    // 70 more shapes (a log gives ids to 64; the JS decoder makes 64 factories).
    for (let i = 0; i < 70; i++) values.push({ [`m${i}`]: i, z: `s${i % 3}` });
    values.push({}, { __proto__x: 1, y: true }, { '1': 'x', y: 2 }, { é: 1 });
    for (let round = 0; round < 2; round++)
      values.forEach((value, i) => {
        store.write({ store: 's', key: `k${i}`, value });
        const expected = JSON.parse(canonicalJsonTs(value)) as Json;
        const read = store.read({ store: 's', key: `k${i}`, ttl: 0 });
        if (typeof expected === 'object' && expected !== null && !Array.isArray(expected))
          expectExactly(read, expected);
        else expect(read).toEqual(expected);
      });
  });
});
