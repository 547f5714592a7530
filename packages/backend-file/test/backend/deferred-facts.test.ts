import { type Fact, IgniterStore } from '@igniter/core';
import { DeferredFacts, encodeTextFrame, jsonFactCodec } from '@igniter/core/storage';
import { CONTRACT_T0, contractFact, variedFacts } from '@igniter/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { input } from '../support/random-inputs.js';

/** `facts` staged and kept in a new collector, each from its own frame as a file scan sees it. */
function collect(facts: readonly Fact[]): DeferredFacts {
  const deferred = DeferredFacts.forCodec(jsonFactCodec) as DeferredFacts;
  let offset = 100;
  for (const fact of facts) {
    const frame = jsonFactCodec.frame(fact);
    expect(deferred.stage(frame, 4, frame.length - 4, offset, 'test.log')).toBe(fact.seq);
    deferred.commit();
    offset += frame.length;
  }
  return deferred;
}

/** Whether the fast reader should take this name as is (no escape, no control character). */
function plain(name: string): boolean {
  return [...name].every((c) => c !== '"' && c !== '\\' && c >= ' ');
}

function expectIndexed(deferred: DeferredFacts, facts: readonly Fact[]): void {
  expect(deferred.count).toBe(facts.length);
  facts.forEach((fact, i) => {
    expect(deferred.seqAt(i)).toBe(fact.seq);
    expect(deferred.transactionTimeAt(i)).toBe(fact.transactionTime);
    expect(deferred.storeOfKeyId(deferred.keyIdAt(i))).toBe(fact.store);
    expect(deferred.keyOfKeyId(deferred.keyIdAt(i))).toBe(fact.key);
    expect(deferred.idAt(i)).toBe(fact.id);
    const restores = fact.idempotencyKey !== null || fact.producer?.kind !== undefined;
    if (restores) expect(deferred.mayRestore(i)).toBe(true);
    // A plain fact with nothing to restore is indexed from its bytes, not decoded at once.
    if (!restores && fact.producer === null && plain(fact.store) && plain(fact.key)) {
      expect(deferred.mayRestore(i)).toBe(false);
    }
    expect(deferred.fact(i)).toEqual(fact);
  });
  const sameKey = (a: number, b: number) => deferred.keyIdAt(a) === deferred.keyIdAt(b);
  facts.forEach((a, i) => {
    facts.forEach((b, j) => {
      expect(sameKey(i, j)).toBe(a.store === b.store && a.key === b.key);
    });
  });
}

describe('DeferredFacts', () => {
  it('indexes every kind of fact exactly as decoding it would', () => {
    expectIndexed(collect(variedFacts()), variedFacts());
  });

  it('indexes any facts a store writes', () => {
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 10 }), (inputs) => {
        const store = new IgniterStore({ engine: 'ts' });
        const facts = new Map<string, Fact>();
        for (const i of inputs) {
          try {
            const fact = store.write(i);
            facts.set(fact.id, fact);
          } catch {
            // A refused write writes nothing.
          }
        }
        expectIndexed(collect([...facts.values()]), [...facts.values()]);
      }),
      { numRuns: 200, seed: 20261128 },
    );
  });

  it('flags a producer that spells "kind" with an escape, and decodes a body in another spacing at once', () => {
    const fact = contractFact(1, { producer: { kind: 'fact_prune' } });
    const escaped = jsonFactCodec
      .frame(fact)
      .toString('utf8', 4)
      .slice(0, -4)
      .replace('"kind"', '"ki\\u006ed"');
    const spaced = JSON.stringify(JSON.parse(escaped), null, 1);
    for (const body of [escaped, spaced]) {
      const deferred = DeferredFacts.forCodec(jsonFactCodec) as DeferredFacts;
      const frame = encodeTextFrame(body);
      deferred.stage(frame, 4, frame.length - 4, 16, 'test.log');
      deferred.commit();
      expect(deferred.mayRestore(0)).toBe(true);
      expect(deferred.fact(0)).toEqual(fact);
    }
  });

  it('counts facts and frame bytes per store over the facts kept, not those only staged', () => {
    const deferred = DeferredFacts.forCodec(jsonFactCodec) as DeferredFacts;
    const kept = jsonFactCodec.frame(contractFact(1, { transactionTime: CONTRACT_T0 + 1 }));
    const skipped = jsonFactCodec.frame(
      contractFact(2, { store: 'other', transactionTime: CONTRACT_T0 + 2 }),
    );
    deferred.stage(kept, 4, kept.length - 4, 16, 'test.log');
    deferred.commit();
    deferred.stage(skipped, 4, skipped.length - 4, 16 + kept.length, 'test.log');
    expect(deferred.count).toBe(1);
    expect(deferred.storeCounts()).toEqual([{ store: 'tasks', facts: 1, bytes: kept.length }]);
  });
});
