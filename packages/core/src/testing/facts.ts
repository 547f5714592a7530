import { canonicalJsonTs } from '../canonical.js';
import type { Fact } from '../fact.js';
import { sha256HexTs } from '../hash.js';
import type { Json } from '../json.js';

/** Transaction time of the fact with seq 1 in {@link contractFact}; seq n is n - 1 ms later. */
export const CONTRACT_T0 = 1_714_200_000_000;

/**
 * A well-formed fact for backend tests: seq `seq`, store "tasks", key `k<seq>`, a value of
 * `{ n: seq }`, transaction time `CONTRACT_T0 + seq - 1`, with `overrides` applied (the value
 * hash follows the value). Never throws for JSON overrides. Cost: one hash.
 */
export function contractFact(seq: number, overrides: Partial<Omit<Fact, 'seq' | 'valueHash'>> = {}): Fact {
  const value: Json = overrides.value === undefined ? { n: seq } : overrides.value;
  return {
    id: `0190f2a0-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
    store: 'tasks',
    key: `k${seq}`,
    causation: null,
    transactionTime: CONTRACT_T0 + seq - 1,
    validTime: null,
    schemaVersion: 1,
    producer: null,
    derivation: null,
    idempotencyKey: null,
    ...overrides,
    seq,
    value,
    valueHash: sha256HexTs(canonicalJsonTs(value)),
  };
}

/** Facts whose fields exercise every shape a backend must keep exactly. */
export function variedFacts(): Fact[] {
  return [
    contractFact(1),
    contractFact(2, {
      store: 'ünïcödé store ✓',
      key: 'key with "quotes", \\ and \n newline',
      value: { nested: { list: [1, 2.5, -0.125, 1e300, 5e-324, 9007199254740991], empty: {}, none: [] } },
      causation: contractFact(1).id,
      validTime: 1_600_000_000_123.5,
      schemaVersion: 3,
      producer: { system: 'importer', version: 2, tags: ['a', 'b'] },
      derivation: { rule: 'sum', sourceStore: 'tasks', sourceKey: 'k1', sourceFactId: contractFact(1).id },
      idempotencyKey: 'req-42',
    }),
    contractFact(3, { value: 'a plain string with \u0000 and 🔥' }),
    contractFact(4, { value: null, validTime: -0 }),
    contractFact(5, { value: JSON.parse('{"__proto__":{"x":1},"constructor":"c","":0}') as Json }),
    contractFact(6, { value: [true, false, null, '', [[]]], causation: 'not-a-fact-id' }),
    contractFact(7, { value: -42, transactionTime: CONTRACT_T0 + 6, key: 'k1' }),
  ];
}
