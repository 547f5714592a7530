import { describe, expect, it } from 'vitest';
import { hashKey, KeySlots, MAX_PROBE } from '../src/key-slots.js';
import { seededRandom } from '../src/testing/index.js';

/** A table with its keys by slot, checked against a `Map` after every step. */
function model(hashOf: (key: string) => number = hashKey) {
  const dropped: number[] = [];
  const table = new KeySlots((slot) => dropped.push(slot));
  const keys: (string | undefined)[] = [];
  const oracle = new Map<string, number>();
  const add = (key: string): boolean => {
    const slot = keys.length;
    keys.push(key);
    const kept = table.add(hashOf(key), slot);
    if (kept) oracle.set(key, slot);
    else keys[slot] = undefined;
    return kept;
  };
  const remove = (key: string): void => {
    const slot = oracle.get(key);
    if (slot === undefined) return;
    table.remove(hashOf(key), slot);
    keys[slot] = undefined;
    oracle.delete(key);
  };
  const find = (key: string): number => table.find(key, hashOf(key), keys);
  const check = (all: readonly string[]): void => {
    for (const slot of dropped.splice(0)) {
      const key = keys[slot] as string;
      oracle.delete(key);
      keys[slot] = undefined;
    }
    for (const key of all) expect(find(key)).toBe(oracle.get(key) ?? -1);
    expect(table.size).toBe(oracle.size);
  };
  return { table, add, remove, find, check, oracle };
}

describe('KeySlots (the read cache key table)', () => {
  it('finds every key it holds, by slot, through growth, and no other', () => {
    const m = model();
    const keys = Array.from({ length: 5000 }, (_, i) => `order-${String(i).padStart(6, '0')}`);
    for (const key of keys) expect(m.add(key)).toBe(true);
    m.check([...keys, 'order-999999', '', 'x']);
    // A key equal to a held one but another string object is found too.
    expect(m.find(`order-${'000042'}`)).toBe(42);
  });

  it('keeps finding every key after random removals and re-additions (backward shift)', () => {
    const random = seededRandom(7);
    const m = model();
    const pool = Array.from({ length: 400 }, (_, i) => `k${i}`);
    for (let step = 0; step < 20_000; step++) {
      const key = pool[Math.floor(random() * pool.length)] as string;
      if (m.oracle.has(key)) m.remove(key);
      else m.add(key);
      if (step % 97 === 0) m.check(pool);
    }
    m.check(pool);
  });

  it('holds keys whose hashes all collide, up to MAX_PROBE + 1 of them, and removes any of them', () => {
    const m = model(() => 0x1235);
    const keys = Array.from({ length: MAX_PROBE + 1 }, (_, i) => `same-${i}`);
    for (const key of keys) expect(m.add(key)).toBe(true);
    // One more key with the same home place has no place within MAX_PROBE: not kept.
    expect(m.add('one-too-many')).toBe(false);
    m.check([...keys, 'one-too-many']);
    // Removing from the middle of the run shifts the rest back: all still found.
    m.remove('same-3');
    m.remove('same-0');
    m.check(keys);
    expect(m.add('one-too-many')).toBe(true);
    m.check([...keys, 'one-too-many']);
  });

  it('keeps keys whose home places neighbour a removed run findable (wrap-around at the end)', () => {
    // Homes 13, 14 and 15 of a 16-place table: the run wraps to places 0 and 1.
    const homes = new Map([
      ['a', 13],
      ['b', 14],
      ['c', 15],
      ['d', 13],
      ['e', 15],
      ['f', 0],
    ]);
    const m = model((key) => ((homes.get(key) ?? 7) << 8) | 0x10000 | (homes.get(key) ?? 7));
    for (const key of homes.keys()) expect(m.add(key)).toBe(true);
    m.check([...homes.keys()]);
    for (const key of ['b', 'a', 'e']) {
      m.remove(key);
      m.check([...homes.keys()]);
    }
  });

  it('hashes alike texts alike and is never 0', () => {
    expect(hashKey('order-000001')).toBe(hashKey(`order-${'000001'}`));
    expect(hashKey('a')).not.toBe(hashKey('b'));
    for (const key of ['', 'a', 'order-000001', '\u{1F600}', 'x'.repeat(1000)]) {
      expect(hashKey(key)).not.toBe(0);
    }
  });
});
