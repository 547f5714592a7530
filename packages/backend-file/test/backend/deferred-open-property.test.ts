import { join } from 'node:path';
import { type Fact, IgniterStore, type LazyFacts, type WriteInput } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';
import { input } from '../support/random-inputs.js';

const temp = useTempDir('igniter-deferred-prop-');

describe('a TS engine open that defers decoding', () => {
  it('answers every read as the facts the store wrote, for any facts', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 12 }), async (inputs) => {
        runs += 1;
        const path = join(temp.dir(), `run-${runs}`, 'app.log');
        const writer = openFileStore(path, { engine: 'ts', durability: 'none' });
        const written: { input: WriteInput; fact: Fact }[] = [];
        for (const i of inputs) {
          try {
            written.push({ input: i, fact: writer.write(i) });
          } catch {
            // An input the store refuses (a repeated idempotency key with another value) writes nothing.
          }
        }
        await writer.close();

        const backend = new FileBackend(path, { engine: 'ts' });
        const store = new IgniterStore({ engine: 'ts', backend });
        // A retried idempotent write returns the fact it wrote before: count each fact once.
        const facts = [...new Map(written.map((w) => [w.fact.id, w.fact])).values()];
        expect(store.factCount()).toBe(facts.length);
        // Reads by key first (they decode a key's facts), then every fact by id.
        for (const { fact } of written) {
          const ofKey = facts.filter((f) => f.store === fact.store && f.key === fact.key);
          expect(store.history({ store: fact.store, key: fact.key })).toEqual(ofKey);
          expect(store.read({ store: fact.store, key: fact.key })).toEqual(ofKey[ofKey.length - 1]?.value);
        }
        for (const fact of facts) expect(store.factById(fact.id)).toEqual(fact);
        // Idempotency keys came back from the undecoded log: a retried write returns its fact.
        for (const { input: retried, fact } of written) {
          if (fact.idempotencyKey !== null) expect(store.write(retried).id).toBe(fact.id);
        }
        expect(store.factCount()).toBe(facts.length);

        // Undecoded and new facts side by side: a write links to the undecoded latest fact of
        // its key, and a prune removes an undecoded fact.
        const first = facts[0] as Fact;
        const latest = facts.filter((f) => f.store === first.store && f.key === first.key).pop() as Fact;
        const added = store.write({ store: first.store, key: first.key, value: 'after reopen' });
        expect(added.causation).toBe(latest.id);
        expect(store.pruneFactIds({ factIds: [first.id], reason: 'test' })).toMatchObject({ prunedCount: 1 });
        const live = [...facts.filter((f) => f.id !== first.id), added];
        for (const fact of live) {
          const ofKey = live.filter((f) => f.store === fact.store && f.key === fact.key);
          expect(store.history({ store: fact.store, key: fact.key })).toEqual(ofKey);
        }
        expect(store.factById(first.id)).toBeUndefined();
        await store.close();
      }),
      { numRuns: 150, seed: 20261128 },
    );
  });

  it('is what a TS engine store gets from open', async () => {
    const path = join(temp.dir(), 'app.log');
    const writer = openFileStore(path, { engine: 'ts' });
    writer.write({ store: 's', key: 'k', value: 1 });
    await writer.close();
    const backend = new FileBackend(path, { engine: 'ts' });
    const deferred = backend.takePreloaded() as LazyFacts;
    expect(deferred.engine).toBe('ts');
    expect(deferred.count).toBe(1);
    await backend.close();
  });
});
