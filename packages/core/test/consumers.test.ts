import { describe, expect, it, vi } from 'vitest';
import type { IgniterError } from '../src/errors.js';
import type { ConsumerEvent } from '../src/schema-graph.js';
import { ENGINE_KIND } from './support/engine.js';
import { RecordingSink } from './support/memory-backend.js';
import { newStore } from './support/store.js';

function recorder() {
  const events: ConsumerEvent[] = [];
  return { events, consumer: (event: ConsumerEvent) => void events.push(event) };
}

function tasksWithConsumers() {
  const made = newStore();
  const pending = recorder();
  const done = recorder();
  made.store.registerPath({
    store: 'tasks',
    scope: 'pending',
    filters: { status: 'pending' },
    consumers: [pending.consumer],
  });
  made.store.registerPath({
    store: 'tasks',
    scope: 'done',
    filters: { status: 'done' },
    consumers: [done.consumer],
  });
  return { ...made, pending: pending.events, done: done.events };
}

describe(`point consumers (${ENGINE_KIND} engine)`, () => {
  it('are called with { store, key } after every fact of their store', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 'reminders', consumers: [consumer] });
    store.write({ store: 'reminders', key: 'r1', value: { n: 1 } });
    store.write({ store: 'reminders', key: 'r1', value: { n: 2 } });
    expect(events).toStrictEqual([
      { store: 'reminders', key: 'r1' },
      { store: 'reminders', key: 'r1' },
    ]);
  });

  it('are called for appended events', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 'logs', consumers: [consumer] });
    const fact = store.append({ history: 'logs', event: { n: 1 } });
    expect(events).toStrictEqual([{ store: 'logs', key: fact.key }]);
  });

  it('are not called for facts of other stores', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 'reminders', consumers: [consumer] });
    store.write({ store: 'other', key: 'r1', value: 1 });
    expect(events).toEqual([]);
  });

  it('are called after the fact is committed, so they can read it', () => {
    const { store } = newStore();
    const seen: unknown[] = [];
    store.registerPath({
      store: 's',
      consumers: [({ store: name, key }) => seen.push(store.read({ store: name, key }))],
    });
    store.write({ store: 's', key: 'k', value: 'v1' });
    store.write({ store: 's', key: 'k', value: 'v2' });
    expect(seen).toEqual(['v1', 'v2']);
  });

  it('are called before write returns', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 's', consumers: [consumer] });
    store.write({ store: 's', key: 'k', value: 1 });
    expect(events).toHaveLength(1);
  });

  it('are called once per fact of a batch, in order', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 's', consumers: [consumer] });
    store.writeMany([
      { store: 's', key: 'a', value: 1 },
      { store: 's', key: 'b', value: 2 },
    ]);
    expect(events.map((e) => e.key)).toEqual(['a', 'b']);
  });

  it('are called in registration order when a path has several', () => {
    const { store } = newStore();
    const calls: string[] = [];
    store.registerPath({ store: 's', consumers: [() => calls.push('first'), () => calls.push('second')] });
    store.write({ store: 's', key: 'k', value: 1 });
    expect(calls).toEqual(['first', 'second']);
  });
});

describe(`scope consumers (${ENGINE_KIND} engine)`, () => {
  it('fire when a key enters the scope, even though the scope was never queried', () => {
    const { store, pending } = tasksWithConsumers();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(pending).toStrictEqual([{ store: 'tasks', scope: 'pending', key: 't1' }]);
  });

  it('fire for the scope a key leaves and for the scope it enters, once each', () => {
    const { store, pending, done } = tasksWithConsumers();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    store.query({ store: 'tasks', scope: 'pending' });
    store.query({ store: 'tasks', scope: 'done' });
    pending.length = 0;
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    expect(pending).toStrictEqual([{ store: 'tasks', scope: 'pending', key: 't1' }]);
    expect(done).toStrictEqual([{ store: 'tasks', scope: 'done', key: 't1' }]);
  });

  it('fire when a member changes but stays a member', () => {
    const { store, pending } = tasksWithConsumers();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending', title: 'A' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending', title: 'B' } });
    expect(pending).toHaveLength(2);
  });

  it('do not fire for a key that is a member neither before nor after', () => {
    const { store, pending, done } = tasksWithConsumers();
    store.write({ store: 'tasks', key: 't1', value: { status: 'archived' } });
    store.write({ store: 'tasks', key: 't1', value: { status: 'archived', n: 2 } });
    expect(pending).toEqual([]);
    expect(done).toEqual([]);
  });

  it('do not fire for facts of another store', () => {
    const { store, pending } = tasksWithConsumers();
    store.query({ store: 'tasks', scope: 'pending' });
    store.write({ store: 'other', key: 't1', value: { status: 'pending' } });
    expect(pending).toEqual([]);
  });

  it('keep firing for every later commit without a query in between (§11 item 16)', () => {
    const { store, pending } = tasksWithConsumers();
    store.query({ store: 'tasks', scope: 'pending' });
    store.write({ store: 'tasks', key: 'a', value: { status: 'pending' } });
    store.write({ store: 'tasks', key: 'b', value: { status: 'pending' } });
    store.write({ store: 'tasks', key: 'a', value: { status: 'done' } });
    expect(pending.map((e) => e.key)).toEqual(['a', 'b', 'a']);
  });

  it('fire for appended events that enter the scope', () => {
    const { store } = newStore();
    const { events, consumer } = recorder();
    store.registerPath({ store: 'ev', scope: 'errors', filters: { level: 'error' }, consumers: [consumer] });
    const e = store.append({ history: 'ev', event: { level: 'error' } });
    store.append({ history: 'ev', event: { level: 'info' } });
    expect(events).toStrictEqual([{ store: 'ev', scope: 'errors', key: e.key }]);
  });

  it('fire alongside point consumers of the same store', () => {
    const { store, pending } = tasksWithConsumers();
    const point = recorder();
    store.registerPath({ store: 'tasks', consumers: [point.consumer] });
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    expect(point.events).toStrictEqual([{ store: 'tasks', key: 't1' }]);
    expect(pending).toStrictEqual([{ store: 'tasks', scope: 'pending', key: 't1' }]);
  });

  it('fire when the key was a member before the path was registered and leaves afterwards', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { status: 'pending' } });
    const { events, consumer } = recorder();
    store.registerPath({
      store: 'tasks',
      scope: 'pending',
      filters: { status: 'pending' },
      consumers: [consumer],
    });
    store.write({ store: 'tasks', key: 't1', value: { status: 'done' } });
    expect(events).toStrictEqual([{ store: 'tasks', scope: 'pending', key: 't1' }]);
  });
});

describe(`failing consumers (${ENGINE_KIND} engine)`, () => {
  it('go to onRuleError as ERR_RULE_FAILED with kind consumer, the fact and the thrown cause', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    const boom = new Error('boom');
    store.registerPath({
      store: 's',
      consumers: [
        () => {
          throw boom;
        },
      ],
    });
    const fact = store.write({ store: 's', key: 'k', value: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: 'IgniterError',
      code: 'ERR_RULE_FAILED',
      details: { kind: 'consumer', store: 's', key: 'k', sourceFactId: fact.id },
    });
    expect(errors[0]?.cause).toBe(boom);
  });

  it('do not undo the write or stop the other consumers', () => {
    const errors: IgniterError[] = [];
    const { store } = newStore({ onRuleError: (error) => errors.push(error) });
    const calls: string[] = [];
    store.registerPath({
      store: 's',
      consumers: [
        () => {
          throw new Error('first fails');
        },
        () => calls.push('second'),
      ],
    });
    store.registerPath({
      store: 's',
      scope: 'all',
      consumers: [
        () => {
          throw 'not even an Error';
        },
        () => calls.push('scoped'),
      ],
    });
    const fact = store.write({ store: 's', key: 'k', value: 1 });
    expect(store.factById(fact.id)).toEqual(fact);
    expect(store.read({ store: 's', key: 'k' })).toBe(1);
    expect(calls).toEqual(['second', 'scoped']);
    expect(errors.map((e) => e.details?.kind)).toEqual(['consumer', 'consumer']);
    expect(errors[1]?.cause).toBe('not even an Error');
  });

  it('are reported as a process warning when no onRuleError is given', () => {
    const { store } = newStore();
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      store.registerPath({
        store: 's',
        consumers: [
          () => {
            throw new Error('boom');
          },
        ],
      });
      store.write({ store: 's', key: 'k', value: 1 });
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning.mock.calls[0]?.[0]).toMatchObject({
        code: 'ERR_RULE_FAILED',
        details: { kind: 'consumer', store: 's', key: 'k' },
      });
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('never let a throwing onRuleError escape the write', () => {
    const { store } = newStore({
      onRuleError: () => {
        throw new Error('handler fails too');
      },
    });
    store.registerPath({
      store: 's',
      consumers: [
        () => {
          throw new Error('boom');
        },
      ],
    });
    expect(store.write({ store: 's', key: 'k', value: 1 }).seq).toBe(1);
  });
});

describe(`consumers survive compaction (${ENGINE_KIND} engine)`, () => {
  it('keeps notifying point and scope consumers after a compaction (§11 item 12)', () => {
    const { store } = newStore();
    const point = recorder();
    const scoped = recorder();
    store.registerPath({ store: 'sensors', consumers: [point.consumer] });
    store.registerPath({
      store: 'sensors',
      scope: 'hot',
      filters: { hot: true },
      consumers: [scoped.consumer],
    });
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.write({ store: 'sensors', key: 's1', value: { hot: true } });
    store.write({ store: 'sensors', key: 's1', value: { hot: true, n: 2 } });
    store.compact('sensors');
    point.events.length = 0;
    scoped.events.length = 0;
    store.write({ store: 'sensors', key: 's1', value: { hot: false } });
    expect(point.events).toStrictEqual([{ store: 'sensors', key: 's1' }]);
    expect(scoped.events).toStrictEqual([{ store: 'sensors', scope: 'hot', key: 's1' }]);
  });
});

describe(`consumers that write (${ENGINE_KIND} engine)`, () => {
  it('see their own writes published after the fact that triggered them, in seq order', () => {
    const sink = new RecordingSink();
    const { store } = newStore({ changefeed: sink });
    let reacted = false;
    store.registerPath({
      store: 's',
      consumers: [
        () => {
          if (reacted) return;
          reacted = true;
          store.write({ store: 's', key: 'reaction', value: 1 });
        },
      ],
    });
    store.write({ store: 's', key: 'action', value: 1 });
    store.write({ store: 's', key: 'later', value: 1 });
    expect(sink.published).toEqual([
      { seq: 1, kind: 'write', key: 'action' },
      { seq: 2, kind: 'write', key: 'reaction' },
      { seq: 3, kind: 'write', key: 'later' },
    ]);
  });
});

describe(`consumers and causation (${ENGINE_KIND} engine)`, () => {
  it('let a consumer write the same key without forking the causation chain (§11 item 20)', () => {
    const { store } = newStore();
    let reacted = false;
    store.registerPath({
      store: 's',
      consumers: [
        ({ key }) => {
          if (reacted) return;
          reacted = true;
          store.write({ store: 's', key, value: 'reaction' });
        },
      ],
    });
    const first = store.write({ store: 's', key: 'k', value: 'action' });
    const chain = store.causationChain({ store: 's', key: 'k' });
    expect(chain.map((step) => step.causation)).toEqual([null, first.id]);
    expect(store.read({ store: 's', key: 'k' })).toBe('reaction');
    expect(store.write({ store: 's', key: 'k', value: 'next' }).causation).toBe(chain[1]?.id);
  });
});
