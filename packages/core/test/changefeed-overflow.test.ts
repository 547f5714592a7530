import { describe, expect, it } from 'vitest';
import { Changefeed, IgniterError, IgniterStore } from '../src/index.js';
import { describeEvents, settlesNow, take } from './support/changefeed.js';
import { ENGINE_KIND } from './support/engine.js';

function storeWith(changefeed: Changefeed): IgniterStore {
  let now = 1_000;
  return new IgniterStore({ changefeed, clock: () => now++ });
}

function writeTasks(store: IgniterStore, from: number, to: number): void {
  for (let i = from; i <= to; i++) store.write({ store: 'tasks', key: `t${i}`, value: i });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe(`Changefeed overflow: drop_oldest (${ENGINE_KIND} engine)`, () => {
  it('keeps the newest queueLimit events and reports the dropped range before them', async () => {
    const feed = new Changefeed({ queueLimit: 2 });
    const store = storeWith(feed);
    const sub = feed.subscribe();
    writeTasks(store, 1, 5);
    expect(feed.stats().subscribers[0]).toMatchObject({ queueDepth: 2, dropped: 3 });
    expect(describeEvents(await take(sub, 3))).toEqual([
      'lagged 1..3',
      '4 write tasks/t4',
      '5 write tasks/t5',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('reports each later run of drops with its own marker', async () => {
    const feed = new Changefeed({ queueLimit: 2 });
    const store = storeWith(feed);
    const sub = feed.subscribe();
    writeTasks(store, 1, 3);
    expect(describeEvents(await take(sub, 2))).toEqual(['lagged 1..1', '2 write tasks/t2']);
    writeTasks(store, 4, 5);
    expect(describeEvents(await take(sub, 3))).toEqual([
      'lagged 3..3',
      '4 write tasks/t4',
      '5 write tasks/t5',
    ]);
  });

  it('with a store filter, counts and reports only the events of its stores', async () => {
    const feed = new Changefeed({ queueLimit: 1 });
    const store = storeWith(feed);
    const sub = feed.subscribe({ stores: ['tasks'] });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'notes', key: 'n1', value: 2 });
    store.write({ store: 'tasks', key: 't2', value: 3 });
    expect(describeEvents(await take(sub, 2))).toEqual(['lagged 1..1', '3 write tasks/t2']);
  });
});

describe(`Changefeed overflow: close (${ENGINE_KIND} engine)`, () => {
  it('delivers the queued events, then throws ERR_SUBSCRIBER_OVERFLOW, then is done', async () => {
    const feed = new Changefeed({ queueLimit: 2, overflow: 'close' });
    const store = storeWith(feed);
    const sub = feed.subscribe();
    writeTasks(store, 1, 4);
    expect(feed.stats().subscribers[0]).toMatchObject({ state: 'overflowed', queueDepth: 2 });
    expect(describeEvents(await take(sub, 2))).toEqual(['1 write tasks/t1', '2 write tasks/t2']);
    const error = await rejectionOf(sub.next());
    expect(error).toBeInstanceOf(IgniterError);
    expect(error).toMatchObject({
      code: 'ERR_SUBSCRIBER_OVERFLOW',
      details: { subscriberId: sub.id, queueLimit: 2, lastQueuedSeq: 2, missedFrom: 3 },
    });
    expect(await sub.next()).toEqual({ done: true, value: undefined });
    expect(feed.stats().subscriberCount).toBe(0);
  });

  it('ends a for await loop with the overflow error', async () => {
    const feed = new Changefeed({ queueLimit: 1, overflow: 'close' });
    const store = storeWith(feed);
    const sub = feed.subscribe();
    writeTasks(store, 1, 2);
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const event of sub) seen.push(...describeEvents([event]));
      })(),
    );
    expect(seen).toEqual(['1 write tasks/t1']);
    expect(error).toMatchObject({ code: 'ERR_SUBSCRIBER_OVERFLOW' });
  });

  it('leaves other subscribers untouched', async () => {
    const feed = new Changefeed({ queueLimit: 2, overflow: 'close' });
    const store = storeWith(feed);
    const stalled = feed.subscribe();
    const reader = feed.subscribe();
    for (let i = 1; i <= 4; i++) {
      writeTasks(store, i, i);
      expect(describeEvents(await take(reader, 1))).toEqual([`${i} write tasks/t${i}`]);
    }
    expect(feed.stats().subscribers.map((s) => [s.id, s.state])).toEqual([
      [stalled.id, 'overflowed'],
      [reader.id, 'live'],
    ]);
  });
});

describe(`Changefeed with a stalled subscriber (${ENGINE_KIND} engine)`, () => {
  it('writes commit synchronously while the stalled queue stays at queueLimit and counts its drops', async () => {
    const feed = new Changefeed({ queueLimit: 10 });
    const store = storeWith(feed);
    const stalled = feed.subscribe();
    const reader = feed.subscribe();
    for (let i = 1; i <= 1000; i++) {
      const fact = store.write({ store: 'tasks', key: `t${i}`, value: i });
      expect(fact.seq).toBe(i);
      const [event] = await take(reader, 1);
      expect(event).toMatchObject({ seq: i });
    }
    expect(feed.stats().subscribers).toEqual([
      {
        id: stalled.id,
        stores: null,
        state: 'live',
        cursor: 1000,
        queueDepth: 10,
        delivered: 0,
        dropped: 990,
      },
      {
        id: reader.id,
        stores: null,
        state: 'live',
        cursor: 1000,
        queueDepth: 0,
        delivered: 1000,
        dropped: 0,
      },
    ]);
    const late = await take(stalled, 11);
    expect(describeEvents(late.slice(0, 2))).toEqual(['lagged 1..990', '991 write tasks/t991']);
    expect(late.map((e) => (e.kind === 'lagged' ? 0 : e.seq)).slice(1)).toEqual(
      Array.from({ length: 10 }, (_, i) => 991 + i),
    );
  });

  it('a subscriber catching up holds no queue however far behind it is', async () => {
    const feed = new Changefeed({ queueLimit: 5 });
    const store = storeWith(feed);
    writeTasks(store, 1, 1);
    const resuming = feed.subscribe({ after: 0 });
    writeTasks(store, 2, 100);
    expect(feed.stats().subscribers[0]).toMatchObject({ state: 'catching_up', queueDepth: 0, dropped: 0 });
    const seqs = (await take(resuming, 100)).map((e) => (e.kind === 'lagged' ? 0 : e.seq));
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
