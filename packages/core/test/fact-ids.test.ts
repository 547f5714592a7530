import { describe, expect, it } from 'vitest';
import { IgniterStore } from '../src/index.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('fact ids', () => {
  it('are UUIDv7s of the transaction time that sort in seq order, within a millisecond too', () => {
    let now = 1_714_200_000_000;
    const store = new IgniterStore({ clock: () => now });
    const facts = Array.from({ length: 3000 }, (_, i) => {
      if (i % 1000 === 999) now += 1;
      return store.write({ store: 's', key: `k${i % 7}`, value: i });
    });
    const ids = facts.map((f) => f.id);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const millis = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(facts.map((f) => millis(f.id))).toEqual(facts.map((f) => f.transactionTime));
    expect(facts.at(-1)?.transactionTime).toBe(1_714_200_000_003);
  });
});
