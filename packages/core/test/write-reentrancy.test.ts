import { describe, expect, it } from 'vitest';
import { type Fact, IgniterError } from '../src/index.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend, RecordingSink } from './support/memory-backend.js';
import { newStore, thrown } from './support/store.js';

/** A memory backend that, like the real ones, refuses writes once closed. */
class ClosingBackend extends MemoryBackend {
  override writeFact(fact: Fact): void {
    if (this.closed) throw new IgniterError('ERR_CLOSED', 'the backend is closed');
    super.writeFact(fact);
  }

  override close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

describe(`writeMany under re-entrancy (${ENGINE_KIND} engine)`, () => {
  it("a consumer writing key b after the batch's first item cannot defeat the batch's expect: { absent: true } on b", () => {
    const { store } = newStore({ onRuleError: (e) => errors.push(e) });
    const errors: unknown[] = [];
    store.registerPath({
      store: 'a',
      consumers: [() => void store.write({ store: 't', key: 'b', value: 'from the consumer' })],
    });
    const batch = store.writeMany([
      { store: 'a', key: 'x', value: 1 },
      { store: 't', key: 'b', value: 'from the batch', expect: { absent: true } },
    ]);
    expect(batch.map((f) => [f.seq, f.store, f.key])).toEqual([
      [1, 'a', 'x'],
      [2, 't', 'b'],
    ]);
    // The consumer ran after the whole batch committed: its write follows the batch's.
    expect(store.history({ store: 't', key: 'b' }).map((f) => [f.seq, f.value])).toEqual([
      [2, 'from the batch'],
      [3, 'from the consumer'],
    ]);
    expect(errors).toEqual([]);
  });

  it('the batch is checked against the state at commit: a conflicting expect fails the whole batch, nothing written', () => {
    const { store } = newStore();
    store.write({ store: 't', key: 'b', value: 0 });
    let calls = 0;
    store.registerPath({ store: 'a', consumers: [() => calls++] });
    const error = thrown(() =>
      store.writeMany([
        { store: 'a', key: 'x', value: 1 },
        { store: 't', key: 'b', value: 1, expect: { absent: true } },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    expect(store.lastSeq()).toBe(1);
    expect(calls).toBe(0);
  });

  it('a consumer closing the store mid-batch leaves the whole batch on disk and the call returns it', async () => {
    const backend = new ClosingBackend();
    const sink = new RecordingSink();
    const { store } = newStore({ backend, changefeed: sink });
    let closing: Promise<void> | undefined;
    store.registerPath({
      store: 'a',
      consumers: [
        () => {
          closing ??= store.close();
        },
      ],
    });
    const batch = store.writeMany([
      { store: 'a', key: 'x', value: 1 },
      { store: 'a', key: 'y', value: 2 },
      { store: 'b', key: 'z', value: 3 },
    ]);
    expect(batch.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(backend.facts.map((f) => [f.seq, f.store, f.key])).toEqual([
      [1, 'a', 'x'],
      [2, 'a', 'y'],
      [3, 'b', 'z'],
    ]);
    expect(sink.published.map((e) => e.seq)).toEqual([1, 2, 3]);
    await closing;
    expect(thrown(() => store.write({ store: 'a', key: 'w', value: 4 })).code).toBe('ERR_CLOSED');
  });

  it('consumers and the changefeed see a batch only once all of it is committed, then in seq order', () => {
    const sink = new RecordingSink();
    const { store } = newStore({ changefeed: sink });
    const seen: Array<[string, unknown, number]> = [];
    store.registerPath({
      store: 'a',
      consumers: [
        ({ key }) => {
          // Every item of the batch is readable from the first notification on.
          seen.push([key, store.read({ store: 'a', key: 'y' }), sink.published.length]);
          if (key === 'x') store.write({ store: 'c', key: 'echo', value: 'x seen' });
        },
      ],
    });
    store.writeMany([
      { store: 'a', key: 'x', value: 1 },
      { store: 'a', key: 'y', value: 2 },
    ]);
    expect(seen).toEqual([
      ['x', 2, 0],
      ['y', 2, 1],
    ]);
    expect(sink.published.map((e) => [e.seq, e.key])).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'echo'],
    ]);
  });

  it('rules run after the whole batch, in seq order: derived facts follow every item of it', () => {
    const { store } = newStore();
    const counts: number[] = [];
    store.registerDerivation({
      sourceStore: 'a',
      targetStore: 'summary',
      targetKey: 'all',
      rule: (facts) => {
        counts.push(facts.length);
        return { count: facts.length };
      },
    });
    const batch = store.writeMany([
      { store: 'a', key: 'x', value: 1 },
      { store: 'a', key: 'y', value: 2 },
      { store: 'a', key: 'z', value: 3 },
    ]);
    expect(batch.map((f) => f.seq)).toEqual([1, 2, 3]);
    // Each source fact is evaluated as of its own seq (as a rebuild would), once the batch is in.
    expect(counts).toEqual([1, 2, 3]);
    expect(store.history({ store: 'summary', key: 'all' }).map((f) => [f.seq, f.value])).toEqual([
      [4, { count: 1 }],
      [5, { count: 2 }],
      [6, { count: 3 }],
    ]);
    expect(store.read({ store: 'summary', key: 'all' })).toEqual({ count: 3 });
  });
});
