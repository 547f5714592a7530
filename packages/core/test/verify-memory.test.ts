import { describe, expect, it } from 'vitest';
import { type Fact, IgniterStore, valueHash } from '../src/index.js';
import type { Json } from '../src/json.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend } from './support/memory-backend.js';
import { newStore } from './support/store.js';

function idOf(seq: number): string {
  return `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`;
}

/** A well-formed fact of store "s" with seq `seq`, as a backend would replay it. */
function storedFact(seq: number, fields: Partial<Fact> = {}): Fact {
  const value: Json = { n: seq };
  return {
    id: idOf(seq),
    seq,
    store: 's',
    key: `k${seq}`,
    value,
    valueHash: valueHash(value),
    causation: null,
    transactionTime: 1_000 + seq,
    validTime: null,
    schemaVersion: 1,
    producer: null,
    derivation: null,
    idempotencyKey: null,
    ...fields,
  };
}

function replaying(facts: Fact[]): IgniterStore {
  return new IgniterStore({ backend: new MemoryBackend(facts), engine: ENGINE_KIND });
}

describe(`verify() of an in-memory store (${ENGINE_KIND} engine)`, () => {
  it('reports a clean store as ok with every fact checked', async () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { done: false } });
    store.write({ store: 'tasks', key: 't1', value: { done: true } });
    store.append({ history: 'log', event: { kind: 'created', tags: ['a', 'b'] } });
    store.write({ store: 'tasks', key: 't2', value: 'plain text' });
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 4, problems: [], warnings: [] });
  });

  it('reports an empty store as ok with nothing checked', async () => {
    expect(await newStore().store.verify()).toEqual({
      ok: true,
      factsChecked: 0,
      problems: [],
      warnings: [],
    });
  });

  it('does not check a causation that is not a UUID (an explicit external reference)', async () => {
    const { store } = newStore();
    store.write({ store: 'orders', key: 'o1', value: 1, causation: 'http-request:42' });
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 1, problems: [], warnings: [] });
  });

  it('warns of an explicit UUID causation naming no fact, with the fact id (stored unchecked by design)', async () => {
    const { store } = newStore();
    const missing = '0190a000-0000-7000-8000-00000000dead';
    const fact = store.write({ store: 'orders', key: 'o1', value: 1, causation: missing });
    expect(await store.verify()).toEqual({
      ok: true,
      factsChecked: 1,
      problems: [],
      warnings: [
        {
          kind: 'causation',
          factId: fact.id,
          message: `fact ${fact.id} (seq 1) has causation ${missing}, which is neither a stored fact nor a pruned one`,
        },
      ],
    });
  });

  it('accepts a causation pointing at a pruned fact', async () => {
    const { store } = newStore();
    const first = store.write({ store: 'people', key: 'p1', value: { v: 1 } });
    const second = store.write({ store: 'people', key: 'p1', value: { v: 2 } });
    expect(second.causation).toBe(first.id);
    store.pruneFactIds({ factIds: [first.id], reason: 'erasure' });
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 2, problems: [], warnings: [] });
  });

  it('accepts causations pointing at facts that compaction dropped from their store', async () => {
    const { store } = newStore();
    for (let v = 0; v < 3; v++) store.write({ store: 'latest', key: 'k', value: { v } });
    store.setRetention('latest', { strategy: 'ephemeral' });
    expect(store.compact('latest')).toMatchObject([{ droppedCount: 2, keptCount: 1 }]);
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 2, problems: [], warnings: [] });
  });

  it('still warns of a missing causation in a store that was never compacted', async () => {
    const { store } = newStore();
    for (let v = 0; v < 2; v++) store.write({ store: 'latest', key: 'k', value: { v } });
    store.setRetention('latest', { strategy: 'ephemeral' });
    store.compact('latest');
    const missing = '0190a000-0000-7000-8000-00000000beef';
    const other = store.write({ store: 'other', key: 'k', value: 1, causation: missing });
    const result = await store.verify();
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      {
        kind: 'causation',
        factId: other.id,
        message: `fact ${other.id} (seq 4) has causation ${missing}, which is neither a stored fact nor a pruned one`,
      },
    ]);
  });

  it('reports a value whose valueHash does not match, and a causation to a later fact', async () => {
    const badHash = storedFact(1, { valueHash: 'f'.repeat(64) });
    const early = storedFact(2, { causation: idOf(3) });
    const store = replaying([badHash, early, storedFact(3)]);
    expect(await store.verify()).toEqual({
      ok: false,
      factsChecked: 3,
      problems: [
        {
          kind: 'hash',
          factId: badHash.id,
          message: `fact ${badHash.id} (seq 1) has valueHash ${'f'.repeat(64)}, but its value hashes to ${valueHash({ n: 1 })}`,
        },
        {
          kind: 'causation',
          factId: early.id,
          message: `fact ${early.id} (seq 2) has causation ${idOf(3)}, a fact with a later seq (3)`,
        },
      ],
      warnings: [],
    });
  });

  it('lists a causation naming no fact as a problem when the facts are damaged (it may name a lost one)', async () => {
    const badHash = storedFact(1, { valueHash: 'e'.repeat(64) });
    const orphan = storedFact(2, { causation: idOf(9) });
    const result = await replaying([badHash, orphan]).verify();
    expect(result).toEqual({
      ok: false,
      factsChecked: 2,
      problems: [
        {
          kind: 'hash',
          factId: badHash.id,
          message: `fact ${badHash.id} (seq 1) has valueHash ${'e'.repeat(64)}, but its value hashes to ${valueHash({ n: 1 })}`,
        },
        {
          kind: 'causation',
          factId: orphan.id,
          message: `fact ${orphan.id} (seq 2) has causation ${idOf(9)}, which is neither a stored fact nor a pruned one`,
        },
      ],
      warnings: [],
    });
  });

  it('rejects with ERR_CLOSED after close', async () => {
    const { store } = newStore();
    await store.close();
    await expect(store.verify()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
