import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore, type LazyFacts } from '@igniter/core';
import { encodeTextFrame, type FramesRead, factReaderFor, jsonFactCodec } from '@igniter/core/storage';
import { CONTRACT_T0, contractFact, useTempDir, variedFacts } from '@igniter/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { input } from '../support/random-inputs.js';

const temp = useTempDir('igniter-deferred-facts-');
let files = 0;

/**
 * Frames of a file, read by the TS engine's fact reader from offset 0: its facts (undecoded)
 * and what the read found. Facts up to `skipThrough` are read but not kept.
 */
function readFrames(frames: readonly Buffer[], skipThrough = 0): { deferred: LazyFacts; read: FramesRead } {
  files += 1;
  const path = join(temp.dir(), `frames-${files}.bin`);
  writeFileSync(path, Buffer.concat(frames));
  const reader = factReaderFor('ts');
  const fd = openSync(path, 'r');
  try {
    const read = reader.read(fd, path, jsonFactCodec, {
      start: 0,
      maxFrameBytes: 1 << 20,
      afterSeq: 0,
      maxSeq: Number.POSITIVE_INFINITY,
      skipThrough,
      seqProblem: (seq, previous) => `seq ${seq} after ${previous}`,
    });
    return { deferred: reader.preloaded as LazyFacts, read };
  } finally {
    closeSync(fd);
  }
}

/** `facts` indexed by the TS engine's reader, each from its own frame. */
function collect(facts: readonly Fact[]): LazyFacts {
  const { deferred, read } = readFrames(facts.map((fact) => jsonFactCodec.frame(fact)));
  expect(read.scan.damage).toBeNull();
  expect(read.maxSeq).toBe(facts.at(-1)?.seq ?? 0);
  return deferred;
}

/** Whether the fast reader should take this name as is (no escape, no control character). */
function plain(name: string): boolean {
  return [...name].every((c) => c !== '"' && c !== '\\' && c >= ' ');
}

function expectIndexed(deferred: LazyFacts, facts: readonly Fact[]): void {
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

describe("the TS engine's fact reader (undecoded facts)", () => {
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
      const { deferred } = readFrames([encodeTextFrame(body)]);
      expect(deferred.engine).toBe('ts');
      expect(deferred.mayRestore(0)).toBe(true);
      expect(deferred.fact(0)).toEqual(fact);
    }
  });

  it('counts facts and frame bytes per store over the facts kept, not those only read', () => {
    const skipped = jsonFactCodec.frame(
      contractFact(1, { store: 'other', transactionTime: CONTRACT_T0 + 1 }),
    );
    const kept = jsonFactCodec.frame(contractFact(2, { transactionTime: CONTRACT_T0 + 2 }));
    const { deferred, read } = readFrames([skipped, kept], 1);
    expect(deferred.count).toBe(1);
    expect(deferred.fact(0)).toEqual(contractFact(2, { transactionTime: CONTRACT_T0 + 2 }));
    expect(read.kept).toBe(1);
    expect(read.maxSeq).toBe(2);
    expect(read.counts).toEqual([{ store: 'tasks', facts: 1, bytes: kept.length }]);
  });
});
