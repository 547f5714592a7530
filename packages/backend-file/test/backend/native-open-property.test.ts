import { join } from 'node:path';
import type { Fact, IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';
import { input } from '../support/random-inputs.js';

const temp = useTempDir('igniter-native-prop-');

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
    // Every log opens into a native log: a frame the Rust reader does not take as is (a
    // NUL-led causation or key) is judged by the JS decoder and loaded into the same log.
    expect(native).toBe(runs);
  });
});
