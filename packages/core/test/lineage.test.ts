import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../src/fact.js';
import { buildLineage } from '../src/lineage.js';
import { ENGINE_KIND, engineUnderTest } from './support/engine.js';
import { newStore } from './support/store.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const proofOf = (facts: readonly Fact[]): string =>
  sha256(facts.map((f) => `${f.id}:${f.valueHash}:${f.causation ?? ''}`).join('|'));

describe(`lineage (${ENGINE_KIND} engine)`, () => {
  it('has exactly the keys subject, chain, depth, derivedBy and proofHash', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    expect(Object.keys(store.lineage({ store: 'tasks', key: 't1' })).sort()).toEqual(
      ['chain', 'depth', 'derivedBy', 'proofHash', 'subject'].sort(),
    );
  });

  it('names its subject as given', () => {
    const { store } = newStore();
    expect(store.lineage({ store: 'tasks', key: 't1' }).subject).toStrictEqual({ store: 'tasks', key: 't1' });
  });

  it('is empty with a null proof hash for an unknown key', () => {
    const { store } = newStore();
    expect(store.lineage({ store: 'tasks', key: 'nope' })).toStrictEqual({
      subject: { store: 'tasks', key: 'nope' },
      chain: [],
      depth: 0,
      derivedBy: [],
      proofHash: null,
    });
  });

  it('chains the facts of the key in seq order with their causation links', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    const f2 = store.write({ store: 'tasks', key: 't1', value: { v: 2 } });
    const { chain } = store.lineage({ store: 'tasks', key: 't1' });
    expect(chain.map((e) => e.id)).toEqual([f1.id, f2.id]);
    expect(chain[0]?.causation).toBeNull();
    expect(chain[1]?.causation).toBe(f1.id);
  });

  it('describes each chain entry with exactly its provenance fields', () => {
    const { store, time } = newStore();
    time.set(7_000);
    const fact = store.write({
      store: 'tasks',
      key: 't1',
      value: { v: 1 },
      validTime: 6_000,
      schemaVersion: 2,
    });
    expect(store.lineage({ store: 'tasks', key: 't1' }).chain).toStrictEqual([
      {
        id: fact.id,
        store: 'tasks',
        key: 't1',
        causation: null,
        valueHash: fact.valueHash,
        transactionTime: 7_000,
        validTime: 6_000,
        schemaVersion: 2,
      },
    ]);
  });

  it('covers only the subject key, with depth equal to the chain length', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    store.write({ store: 'tasks', key: 't2', value: { v: 1 } });
    store.write({ store: 'tasks', key: 't2', value: { v: 2 } });
    const t1 = store.lineage({ store: 'tasks', key: 't1' });
    expect(t1.chain.map((e) => e.key)).toEqual(['t1']);
    expect(t1.depth).toBe(1);
    expect(store.lineage({ store: 'tasks', key: 't2' }).depth).toBe(2);
  });

  it('computes the proof hash as SHA-256 of "id:valueHash:causation" joined by "|", null causation empty', () => {
    const { store } = newStore();
    const f1 = store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    const f2 = store.write({ store: 'tasks', key: 't1', value: { v: 2 } });
    const expected = sha256(`${f1.id}:${f1.valueHash}:|${f2.id}:${f2.valueHash}:${f1.id}`);
    expect(store.lineage({ store: 'tasks', key: 't1' }).proofHash).toBe(expected);
  });

  it("gives the README's worked example its documented proof hash", () => {
    const engine = engineUnderTest();
    const id1 = '0190c3a0-0000-7000-8000-000000000001';
    const id2 = '0190c3a0-0000-7000-8000-000000000002';
    const fact = (seq: number, id: string, value: { total: number }, causation: string | null): Fact => ({
      id,
      seq,
      store: 'orders',
      key: 'o1',
      value,
      valueHash: engine.valueHash(value),
      causation,
      transactionTime: 1_000 + seq,
      validTime: null,
      schemaVersion: 1,
      producer: null,
      derivation: null,
      idempotencyKey: null,
    });
    const facts = [fact(1, id1, { total: 10 }, null), fact(2, id2, { total: 12 }, id1)];
    expect(facts.map((f) => f.valueHash)).toEqual([
      'f133478af453cc4c404cc5e649fc223a27799d5ab624015bcfc3ef41c14c556e',
      '1defd9aad4ae88c107ebcea9ace3464d31f697c773d803f0413de16c0d421984',
    ]);
    const lineage = buildLineage({ store: 'orders', key: 'o1' }, facts, [], (text) => engine.sha256Hex(text));
    expect(lineage.proofHash).toBe('41b112cb5262aeb36036192d3eb9f27df329e229745e44bad3e9cab6619134cc');
  });

  it('keeps the proof hash stable across calls and changes it with each new fact', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    const first = store.lineage({ store: 'tasks', key: 't1' }).proofHash;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(store.lineage({ store: 'tasks', key: 't1' }).proofHash).toBe(first);
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    const second = store.lineage({ store: 'tasks', key: 't1' }).proofHash;
    expect(second).not.toBe(first);
    expect(second).toBe(proofOf(store.history({ store: 'tasks', key: 't1' })));
  });

  it('gives different proof hashes to keys with the same value', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    store.write({ store: 'tasks', key: 't2', value: { v: 1 } });
    expect(store.lineage({ store: 'tasks', key: 't1' }).proofHash).not.toBe(
      store.lineage({ store: 'tasks', key: 't2' }).proofHash,
    );
  });

  it('hashes explicit causations as stored', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: 1, causation: 'external-order-17' });
    const [fact] = store.history({ store: 'tasks', key: 't1' });
    expect(store.lineage({ store: 'tasks', key: 't1' }).proofHash).toBe(
      sha256(`${fact?.id}:${fact?.valueHash}:external-order-17`),
    );
  });

  it('uses raw value hashes even when the store has a coercion', () => {
    const { store } = newStore();
    store.registerCoercion('tasks', () => 'coerced');
    const fact = store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    const lineage = store.lineage({ store: 'tasks', key: 't1' });
    expect(lineage.chain[0]?.valueHash).toBe(fact.valueHash);
    expect(lineage.proofHash).toBe(proofOf([fact]));
  });

  it('lists no derivations when none is registered', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { v: 1 } });
    expect(store.lineage({ store: 'tasks', key: 't1' }).derivedBy).toEqual([]);
  });

  it('lists the derivations fed by the subject store, a function key as "callable"', () => {
    const { store } = newStore();
    store.registerDerivation({
      sourceStore: 'tasks',
      sourceFilters: { status: 'open' },
      targetStore: 'summaries',
      targetKey: 'all',
      rule: (facts) => facts.length,
    });
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'by_owner',
      targetKey: () => 'someone',
      rule: () => null,
    });
    store.registerDerivation({ sourceStore: 'other', targetStore: 'x', targetKey: 'y', rule: () => null });
    expect(store.lineage({ store: 'tasks', key: 't1' }).derivedBy).toStrictEqual([
      {
        rule: 'tasks->summaries/all',
        kind: 'derivation',
        sourceStore: 'tasks',
        targetStore: 'summaries',
        targetKey: 'all',
        sourceFilters: { status: 'open' },
      },
      {
        rule: 'tasks->by_owner/callable',
        kind: 'derivation',
        sourceStore: 'tasks',
        targetStore: 'by_owner',
        targetKey: 'callable',
        sourceFilters: {},
      },
    ]);
  });
});

describe(`causationChain (${ENGINE_KIND} engine)`, () => {
  it('gives one step per fact of the key: id, 12-char value hash, causation and transaction time', () => {
    const { store, time } = newStore();
    time.set(1_000);
    const f1 = store.write({ store: 'reminders', key: 'r1', value: { status: 'open' } });
    time.set(2_000);
    const f2 = store.write({ store: 'reminders', key: 'r1', value: { status: 'closed' } });
    expect(store.causationChain({ store: 'reminders', key: 'r1' })).toStrictEqual([
      { id: f1.id, valueHash: f1.valueHash.slice(0, 12), causation: null, transactionTime: 1_000 },
      { id: f2.id, valueHash: f2.valueHash.slice(0, 12), causation: f1.id, transactionTime: 2_000 },
    ]);
  });

  it('links three writes of the same value in order', () => {
    const { store } = newStore();
    const facts = [1, 2, 3].map(() => store.write({ store: 'items', key: 'x', value: { same: true } }));
    const chain = store.causationChain({ store: 'items', key: 'x' });
    expect(chain.map((s) => s.id)).toEqual(facts.map((f) => f.id));
    expect(chain.map((s) => s.causation)).toEqual([null, facts[0]?.id, facts[1]?.id]);
    expect(new Set(chain.map((s) => s.valueHash)).size).toBe(1);
  });

  it('is empty for an unknown key', () => {
    const { store } = newStore();
    expect(store.causationChain({ store: 'items', key: 'nope' })).toEqual([]);
  });
});
