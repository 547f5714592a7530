import { describe, expect, it } from 'vitest';
import { type ChangeEvent, Changefeed, IgniterError, IgniterStore } from '../src/index.js';
import { describeEvents, settlesNow, take } from './support/changefeed.js';
import { ENGINE_KIND } from './support/engine.js';

function storeWith(changefeed: Changefeed): IgniterStore {
  let now = 1_000;
  return new IgniterStore({ changefeed, clock: () => now++, onRuleError: () => {} });
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof IgniterError ? error.code : 'not an IgniterError';
  }
  return undefined;
}

describe(`Changefeed options (${ENGINE_KIND} engine)`, () => {
  it('defaults to a ring of 10_000, queues of 1000 and drop_oldest', () => {
    const feed = new Changefeed();
    expect([feed.capacity, feed.queueLimit, feed.overflow]).toEqual([10_000, 1000, 'drop_oldest']);
  });

  it.each([
    ['a negative capacity', { capacity: -1 }],
    ['a fractional capacity', { capacity: 1.5 }],
    ['a string capacity', { capacity: '10' }],
    ['a queueLimit of 0', { queueLimit: 0 }],
    ['an infinite queueLimit', { queueLimit: Number.POSITIVE_INFINITY }],
    ['an unknown overflow policy', { overflow: 'drop_newest' }],
    ['an unknown option', { queueSize: 10 }],
  ])('rejects %s with ERR_INVALID_ARGUMENT', (_, options) => {
    expect(codeOf(() => new Changefeed(options as never))).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['an empty stores list', { stores: [] }],
    ['an empty store name', { stores: [''] }],
    ['stores given as a string', { stores: 'tasks' }],
    ['a negative after', { after: -1 }],
    ['a fractional after', { after: 1.5 }],
    ['an unknown option', { since: 3 }],
  ])('subscribe rejects %s with ERR_INVALID_ARGUMENT', (_, options) => {
    const feed = new Changefeed();
    expect(codeOf(() => feed.subscribe(options as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(feed.stats().subscriberCount).toBe(0);
  });
});

describe(`Changefeed delivery (${ENGINE_KIND} engine)`, () => {
  it('delivers one event per committed fact with its seq, kind, store, key, id, hash and time', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    const written = store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk' } });
    const appended = store.append({ history: 'audit', event: { action: 'created' } });
    expect(await take(sub, 2)).toEqual([
      {
        seq: 1,
        kind: 'write',
        store: 'tasks',
        key: 't1',
        factId: written.id,
        valueHash: written.valueHash,
        transactionTime: written.transactionTime,
      },
      {
        seq: 2,
        kind: 'append',
        store: 'audit',
        key: appended.key,
        factId: appended.id,
        valueHash: appended.valueHash,
        transactionTime: appended.transactionTime,
      },
    ]);
  });

  it('delivers events in seq order across stores', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'notes', key: 'n1', value: 2 });
    store.writeMany([
      { store: 'tasks', key: 't2', value: 3 },
      { store: 'notes', key: 'n2', value: 4 },
    ]);
    store.write({ store: 'tasks', key: 't1', value: 5 });
    expect(describeEvents(await take(sub, 5))).toEqual([
      '1 write tasks/t1',
      '2 write notes/n1',
      '3 write tasks/t2',
      '4 write notes/n2',
      '5 write tasks/t1',
    ]);
  });

  it('a subscription without after receives only facts committed after it subscribed', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    store.write({ store: 'tasks', key: 'before', value: 1 });
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 'after', value: 2 });
    expect(describeEvents(await take(sub, 1))).toEqual(['2 write tasks/after']);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a store filter delivers only events of the listed stores', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe({ stores: ['tasks', 'reminders'] });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'notes', key: 'n1', value: 2 });
    store.write({ store: 'reminders', key: 'r1', value: 3 });
    store.write({ store: 'notes', key: 'n2', value: 4 });
    expect(describeEvents(await take(sub, 2))).toEqual(['1 write tasks/t1', '3 write reminders/r1']);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('every subscriber receives each event once', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const subs = [feed.subscribe(), feed.subscribe(), feed.subscribe()];
    store.write({ store: 'tasks', key: 't1', value: 1 });
    for (const sub of subs) {
      expect(describeEvents(await take(sub, 1))).toEqual(['1 write tasks/t1']);
      expect(await settlesNow(sub.next())).toBe(false);
    }
  });

  it('a derived fact is published after its source fact, with kind derived', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'all',
      rule: (facts) => ({ count: facts.length }),
    });
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 't1', value: { title: 'a' } });
    store.write({ store: 'tasks', key: 't2', value: { title: 'b' } });
    expect(describeEvents(await take(sub, 4))).toEqual([
      '1 write tasks/t1',
      '2 derived summaries/all',
      '3 write tasks/t2',
      '4 derived summaries/all',
    ]);
  });

  it('a scatter fact is published after its source fact, with kind derived', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    store.registerScatter({
      sourceStore: 'orders',
      partitionBy: 'customer',
      targetStore: 'by_customer',
      rule: (_customer, existing) => ({
        orders: ((existing as { orders?: number } | undefined)?.orders ?? 0) + 1,
      }),
    });
    const sub = feed.subscribe();
    store.write({ store: 'orders', key: 'o1', value: { customer: 'c1' } });
    expect(describeEvents(await take(sub, 2))).toEqual(['1 write orders/o1', '2 derived by_customer/c1']);
  });

  it('consumers of a fact run before its event is published', () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const newestSeqSeenByConsumer: Array<number | null> = [];
    store.registerPath({
      store: 'tasks',
      consumers: [() => newestSeqSeenByConsumer.push(feed.stats().ring.newestSeq)],
    });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't2', value: 2 });
    expect(newestSeqSeenByConsumer).toEqual([null, 1]);
    expect(feed.stats().ring.newestSeq).toBe(2);
  });

  it('a write that throws publishes nothing and consumes no seq', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    expect(codeOf(() => store.write({ store: 'tasks', key: 't1', value: 2, expect: { absent: true } }))).toBe(
      'ERR_CONFLICT',
    );
    store.write({ store: 'tasks', key: 't2', value: 3 });
    expect(describeEvents(await take(sub, 2))).toEqual(['1 write tasks/t1', '2 write tasks/t2']);
    expect(feed.stats().published).toBe(2);
  });

  it('an exact prune publishes one pruned event for its receipt', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    const doomed = store.write({ store: 'tasks', key: 't1', value: 1 });
    const result = store.pruneFactIds({ factIds: [doomed.id], reason: 'gdpr' });
    if (result.status !== 'ok') throw new Error('prune unsupported');
    const events = await take(sub, 2);
    expect(describeEvents(events)).toEqual([
      '1 write tasks/t1',
      `2 pruned __fact_prune_receipts/${store.factById(result.receiptId ?? '')?.key}`,
    ]);
    expect(events[1]).toMatchObject({ factId: result.receiptId });
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a compaction publishes one compacted event for its receipt', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    store.setRetention('sessions', { strategy: 'ephemeral' });
    const sub = feed.subscribe();
    store.write({ store: 'sessions', key: 's1', value: 1 });
    store.write({ store: 'sessions', key: 's1', value: 2 });
    const [result] = store.compact('sessions');
    const events = await take(sub, 3);
    expect(describeEvents(events).slice(0, 2)).toEqual(['1 write sessions/s1', '2 write sessions/s1']);
    expect(events[2]).toMatchObject({ seq: 3, kind: 'compacted', store: '__compaction_receipts' });
    expect(events[2]).toMatchObject({ factId: result?.receiptId });
    expect(await settlesNow(sub.next())).toBe(false);
  });
});

describe(`Changefeed subscriptions end (${ENGINE_KIND} engine)`, () => {
  it('close() resolves a pending next() as done, and later facts are not delivered', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    const pending = sub.next();
    sub.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    expect(await sub.next()).toEqual({ done: true, value: undefined });
    expect(feed.stats().subscriberCount).toBe(0);
  });

  it('close() discards queued events and is idempotent', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    sub.close();
    sub.close();
    expect(await sub.next()).toEqual({ done: true, value: undefined });
  });

  it('breaking out of for await releases the subscription', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't2', value: 2 });
    const seen: ChangeEvent[] = [];
    for await (const event of sub) {
      seen.push(event);
      break;
    }
    expect(describeEvents(seen)).toEqual(['1 write tasks/t1']);
    expect(feed.stats().subscriberCount).toBe(0);
    expect(await sub.next()).toEqual({ done: true, value: undefined });
  });

  it('a for await loop ends when the subscription is closed while it waits', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    const sub = feed.subscribe();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of sub) seen.push(...describeEvents([event]));
      return 'ended';
    })();
    store.write({ store: 'tasks', key: 't1', value: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    sub.close();
    expect(await loop).toBe('ended');
    expect(seen).toEqual(['1 write tasks/t1']);
  });
});

describe(`Changefeed diagnostics (${ENGINE_KIND} engine)`, () => {
  it('stats() reports the ring and each open subscription', async () => {
    const feed = new Changefeed({ capacity: 3, queueLimit: 5 });
    const store = storeWith(feed);
    store.write({ store: 'tasks', key: 't1', value: 1 });
    const all = feed.subscribe();
    const tasks = feed.subscribe({ stores: ['tasks'], after: 0 });
    for (let i = 2; i <= 4; i++) store.write({ store: 'tasks', key: `t${i}`, value: i });
    await take(all, 1);
    expect(feed.stats()).toEqual({
      subscriberCount: 2,
      published: 4,
      ring: { capacity: 3, size: 3, oldestSeq: 2, newestSeq: 4 },
      subscribers: [
        { id: all.id, stores: null, state: 'live', cursor: 4, queueDepth: 2, delivered: 1, dropped: 0 },
        {
          id: tasks.id,
          stores: ['tasks'],
          state: 'catching_up',
          cursor: 0,
          queueDepth: 0,
          delivered: 0,
          dropped: 0,
        },
      ],
    });
    tasks.close();
    expect(feed.stats().subscribers.map((s) => s.id)).toEqual([all.id]);
  });

  it('refuses to attach a store whose log is behind the events it already carries', () => {
    const feed = new Changefeed();
    const first = storeWith(feed);
    first.write({ store: 'tasks', key: 't1', value: 1 });
    expect(codeOf(() => storeWith(feed))).toBe('ERR_INVALID_ARGUMENT');
  });
});
