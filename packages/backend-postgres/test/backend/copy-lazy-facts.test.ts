import type { Fact } from '@igniter/core';
import { contractFact } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { CopyLazyFacts } from '../../src/copy-lazy-facts.js';
import { BinaryCopyRows } from '../../src/copy-rows.js';
import { FACT_COLUMNS } from '../../src/layout.js';

/** One fact as a row of PostgreSQL's binary COPY of the fact columns. */
function copyRow(fact: Fact): Buffer {
  const field = (bytes: Buffer | null) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes === null ? -1 : bytes.length);
    return bytes === null ? length : Buffer.concat([length, bytes]);
  };
  const text = (value: string | null) => (value === null ? null : Buffer.from(value));
  const int64 = Buffer.alloc(8);
  int64.writeBigInt64BE(BigInt(fact.seq));
  const float8 = (value: number | null) => {
    if (value === null) return null;
    const out = Buffer.alloc(8);
    out.writeDoubleBE(value);
    return out;
  };
  const int4 = Buffer.alloc(4);
  int4.writeInt32BE(fact.schemaVersion);
  const json = (value: unknown) => (value === null ? null : Buffer.from(JSON.stringify(value)));
  const fields = [
    int64,
    text(fact.id),
    text(fact.store),
    text(fact.key),
    json(fact.value),
    text(fact.valueHash),
    text(fact.causation),
    float8(fact.transactionTime),
    float8(fact.validTime),
    int4,
    json(fact.producer),
    json(fact.derivation),
    text(fact.idempotencyKey),
  ];
  const count = Buffer.alloc(2);
  count.writeInt16BE(fields.length);
  return Buffer.concat([count, ...fields.map(field)]);
}

function copyOf(facts: Fact[]): Buffer {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  return Buffer.concat([header, ...facts.map(copyRow), Buffer.from([0xff, 0xff])]);
}

/** Lazy facts over `bytes`, fed in chunks of `chunk` bytes as a socket would cut them. */
function lazyOver(bytes: Buffer, chunk: number): CopyLazyFacts {
  const lazy = new CopyLazyFacts();
  const rows = new BinaryCopyRows(FACT_COLUMNS.length);
  for (let at = 0; at < bytes.length; at += chunk)
    rows.push(bytes.subarray(at, at + chunk), (row) => lazy.add(row));
  rows.finish();
  return lazy;
}

const facts = [
  contractFact(1, { store: 'a', key: 'k1' }),
  contractFact(2, { store: 'b', key: 'k1', producer: { system: 'importer' } }),
  contractFact(3, { store: 'a', key: 'k1', idempotencyKey: 'req-1', validTime: 5 }),
  contractFact(5, { store: 'a', key: 'k2', producer: { kind: 'receipt' }, value: { nested: ['é', -0.5] } }),
];

describe('lazy facts over binary COPY rows', () => {
  it('index seq, time, store and key at once and decode each fact exactly on its first read', () => {
    for (const chunk of [7, 64, 10_000]) {
      const lazy = lazyOver(copyOf(facts), chunk);
      expect(lazy.count).toBe(4);
      expect([0, 1, 2, 3].map((i) => lazy.seqAt(i))).toEqual([1, 2, 3, 5]);
      expect([0, 1, 2, 3].map((i) => lazy.transactionTimeAt(i))).toEqual(facts.map((f) => f.transactionTime));
      expect([0, 1, 2, 3].map((i) => lazy.idAt(i))).toEqual(facts.map((f) => f.id));
      const pairs = [0, 1, 2, 3].map((i) => lazy.keyIdAt(i));
      expect(pairs[0]).toBe(pairs[2]);
      expect(new Set(pairs).size).toBe(3);
      expect(pairs.map((p) => [lazy.storeOfKeyId(p), lazy.keyOfKeyId(p)])).toEqual(
        facts.map((f) => [f.store, f.key]),
      );
      expect(lazy.storeIndexOfKeyId(pairs[0] as number)).toBe(lazy.storeIndexOfKeyId(pairs[3] as number));
      expect([0, 1, 2, 3].map((i) => lazy.mayRestore(i))).toEqual([false, false, true, true]);
      expect([0, 1, 2, 3].map((i) => lazy.fact(i))).toEqual(facts);
      expect(lazy.fact(3)).toBe(lazy.fact(3));
    }
  });

  it("keep a forgotten row's bytes until release, for the backend's one read, then zero them", () => {
    const bytes = copyOf(facts);
    const lazy = lazyOver(bytes, bytes.length);
    const valueOf3 = Buffer.from(JSON.stringify(facts[2]?.value));
    expect(bytes.includes(valueOf3)).toBe(true);
    lazy.forget(2);
    expect(lazy.fact(2)).toEqual(facts[2]);
    expect(bytes.includes('req-1')).toBe(true);
    lazy.release();
    expect(bytes.includes('req-1')).toBe(false);
    expect(bytes.includes(valueOf3)).toBe(false);
    lazy.forget(3);
    expect(bytes.includes('receipt')).toBe(false);
    expect(lazy.fact(0)).toEqual(facts[0]);
  });
});
