import { describe, expect, it } from 'vitest';
import { DecodedValues } from '../src/engine/decoded-values.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend } from './support/memory-backend.js';
import { newStore } from './support/store.js';

/** 'sensors'/'a' and 'b' at 1000, 2000 and 3000 (values { v: <time> }), clock at 10_000. */
function threeVersions(ephemeral = false) {
  const made = newStore();
  if (ephemeral) made.store.setRetention('sensors', { strategy: 'ephemeral' });
  for (const at of [1_000, 2_000, 3_000]) {
    made.time.set(at);
    for (const key of ['a', 'b']) made.store.write({ store: 'sensors', key, value: { v: at, key } });
  }
  made.time.set(10_000);
  return made;
}

describe(`value reads as of a time (${ENGINE_KIND} engine)`, () => {
  it('give the same deep-frozen object for every time that picks the same fact', () => {
    const { store } = threeVersions();
    const read = (asOf: number) => store.read({ store: 'sensors', key: 'a', asOf });
    const at1500 = read(1_500);
    expect(at1500).toEqual({ v: 1_000, key: 'a' });
    expect(Object.isFrozen(at1500)).toBe(true);
    expect(read(1_000)).toBe(at1500);
    expect(read(1_999)).toBe(at1500);
    expect(read(2_000)).toEqual({ v: 2_000, key: 'a' });
    expect(read(2_000)).not.toBe(at1500);
    expect(read(999)).toBeUndefined();
    expect(read(50_000)).toEqual({ v: 3_000, key: 'a' });
  });

  it('see a fact written after an earlier read at the same time', () => {
    const { store, time } = threeVersions();
    expect(store.read({ store: 'sensors', key: 'a', asOf: 20_000 })).toEqual({ v: 3_000, key: 'a' });
    time.set(15_000);
    store.write({ store: 'sensors', key: 'a', value: { v: 15_000, key: 'a' } });
    expect(store.read({ store: 'sensors', key: 'a', asOf: 20_000 })).toEqual({ v: 15_000, key: 'a' });
    expect(store.read({ store: 'sensors', key: 'a', asOf: 14_999 })).toEqual({ v: 3_000, key: 'a' });
  });

  it('stay exact after compaction renumbers the facts', () => {
    const { store } = threeVersions(true);
    // Every fact read once, so each value a read handed over is held under its fact's place.
    for (const asOf of [1_000, 2_000, 3_000]) {
      for (const key of ['a', 'b']) {
        expect(store.read({ store: 'sensors', key, asOf })).toEqual({ v: asOf, key });
      }
    }
    const [result] = store.compact();
    expect(result?.droppedCount).toBe(4);
    // The kept facts moved down to where the dropped ones were: no held value may answer.
    for (const key of ['a', 'b']) {
      expect(store.read({ store: 'sensors', key, asOf: 3_500 })).toEqual({ v: 3_000, key });
      expect(store.read({ store: 'sensors', key, asOf: 2_500 })).toBeUndefined();
      expect(store.read({ store: 'sensors', key })).toEqual({ v: 3_000, key });
    }
  });

  it('stay exact after a write the backend refused was taken back', () => {
    const backend = new MemoryBackend();
    const { store } = newStore({ backend });
    store.write({ store: 's', key: 'a', value: { n: 1 } });
    expect(store.read({ store: 's', key: 'a', asOf: 5_000 })).toEqual({ n: 1 });
    backend.failWrites = true;
    expect(() => store.write({ store: 's', key: 'a', value: { n: 2 } })).toThrow('disk full');
    backend.failWrites = false;
    // The next fact takes the place of the one taken back.
    store.write({ store: 's', key: 'b', value: { n: 3 } });
    expect(store.read({ store: 's', key: 'a', asOf: 5_000 })).toEqual({ n: 1 });
    expect(store.read({ store: 's', key: 'b', asOf: 5_000 })).toEqual({ n: 3 });
    expect(store.read({ store: 's', key: 'a' })).toEqual({ n: 1 });
  });
});

describe('DecodedValues (the native engine memo)', () => {
  it('holds values by slot, across chunks, and counts each slot once', () => {
    const held = new DecodedValues(10);
    expect(held.set(0, 'zero')).toBe(true);
    expect(held.set(5_000, { n: 5_000 })).toBe(true);
    expect(held.set(1_000_000, 'far')).toBe(true);
    expect(held.set(0, 'again')).toBe(true);
    expect(held.size).toBe(3);
    expect(held.get(0)).toBe('again');
    expect(held.get(5_000)).toEqual({ n: 5_000 });
    expect(held.get(1_000_000)).toBe('far');
    expect(held.get(1)).toBeUndefined();
    expect(held.get(4_999)).toBeUndefined();
    expect(held.get(2_000_000)).toBeUndefined();
    held.clear();
    expect(held.size).toBe(0);
    expect(held.get(0)).toBeUndefined();
  });

  it('drops every value when the cap is reached, then keeps the new one', () => {
    const held = new DecodedValues(3);
    for (const slot of [1, 2, 3]) expect(held.set(slot, slot)).toBe(true);
    expect(held.set(4, 4)).toBe(false);
    expect(held.size).toBe(1);
    expect([1, 2, 3, 4].map((slot) => held.get(slot))).toEqual([undefined, undefined, undefined, 4]);
  });
});
