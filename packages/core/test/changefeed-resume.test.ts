import { describe, expect, it } from 'vitest';
import { Changefeed, type Fact, IgniterStore } from '../src/index.js';
import { describeEvents, MemoryLog, settlesNow, take } from './support/changefeed.js';
import { ENGINE_KIND } from './support/engine.js';
import { thrown } from './support/store.js';

function storeWith(changefeed: Changefeed, log?: MemoryLog): IgniterStore {
  let now = 1_000;
  return new IgniterStore({ changefeed, backend: log?.backend(), clock: () => now++, onRuleError: () => {} });
}

function writeTasks(store: IgniterStore, from: number, to: number): void {
  for (let i = from; i <= to; i++) store.write({ store: 'tasks', key: `t${i}`, value: i });
}

describe(`Changefeed resume from the ring (${ENGINE_KIND} engine)`, () => {
  it('after: n replays every later event, then continues live without gap or duplicate', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    writeTasks(store, 1, 5);
    const sub = feed.subscribe({ after: 2 });
    writeTasks(store, 6, 6);
    expect(describeEvents(await take(sub, 4))).toEqual([
      '3 write tasks/t3',
      '4 write tasks/t4',
      '5 write tasks/t5',
      '6 write tasks/t6',
    ]);
    expect(feed.stats().subscribers[0]).toMatchObject({ state: 'live', cursor: 6 });
    writeTasks(store, 7, 8);
    expect(feed.stats().subscribers[0]).toMatchObject({ queueDepth: 2 });
    expect(describeEvents(await take(sub, 2))).toEqual(['7 write tasks/t7', '8 write tasks/t8']);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a subscriber waiting at the head receives the next commit exactly once', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    writeTasks(store, 1, 2);
    const sub = feed.subscribe({ after: 1 });
    expect(describeEvents(await take(sub, 1))).toEqual(['2 write tasks/t2']);
    const waiting = sub.next();
    writeTasks(store, 3, 4);
    const result = await waiting;
    expect(result.done ? [] : describeEvents([result.value])).toEqual(['3 write tasks/t3']);
    expect(describeEvents(await take(sub, 1))).toEqual(['4 write tasks/t4']);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('after equal to the last seq is live only', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    writeTasks(store, 1, 3);
    const sub = feed.subscribe({ after: 3 });
    const waiting = sub.next();
    expect(await settlesNow(waiting)).toBe(false);
    writeTasks(store, 4, 4);
    const result = await waiting;
    expect(result.done ? [] : describeEvents([result.value])).toEqual(['4 write tasks/t4']);
  });

  it('refuses a cursor past the last seq (a cursor from the future would skip events)', () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    writeTasks(store, 1, 2);
    expect(thrown(() => feed.subscribe({ after: 3 }))).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      details: { after: 3, lastSeq: 2 },
    });
    expect(feed.stats().subscriberCount).toBe(0);
    // The last seq itself is a valid cursor: the next event is the next commit.
    const sub = feed.subscribe({ after: 2 });
    expect(feed.stats().subscriberCount).toBe(1);
    sub.close();
  });

  it('fails a subscription made before the store attached once the store shows its cursor is from the future', async () => {
    const feed = new Changefeed();
    const waiting = feed.subscribe({ after: 5 });
    const next = waiting.next();
    const early = feed.subscribe({ after: 5 });
    storeWith(feed);
    await expect(next).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      details: { after: 5, lastSeq: 0 },
    });
    await expect(early.next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      details: { after: 5, lastSeq: 0 },
    });
    expect(await early.next()).toEqual({ done: true, value: undefined });
  });

  it('resuming with a store filter replays only the listed stores', async () => {
    const feed = new Changefeed();
    const store = storeWith(feed);
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'notes', key: 'n1', value: 2 });
    store.write({ store: 'tasks', key: 't2', value: 3 });
    store.write({ store: 'notes', key: 'n2', value: 4 });
    const sub = feed.subscribe({ stores: ['tasks'], after: 0 });
    store.write({ store: 'tasks', key: 't3', value: 5 });
    expect(describeEvents(await take(sub, 3))).toEqual([
      '1 write tasks/t1',
      '3 write tasks/t2',
      '5 write tasks/t3',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });
});

describe(`Changefeed resume from the store log (${ENGINE_KIND} engine)`, () => {
  it('a cursor older than the ring replays the older events from the log, then the ring', async () => {
    const feed = new Changefeed({ capacity: 2 });
    const store = storeWith(feed);
    writeTasks(store, 1, 5);
    expect(feed.stats().ring).toEqual({ capacity: 2, size: 2, oldestSeq: 4, newestSeq: 5 });
    const sub = feed.subscribe({ after: 0 });
    expect(describeEvents(await take(sub, 5))).toEqual([
      '1 write tasks/t1',
      '2 write tasks/t2',
      '3 write tasks/t3',
      '4 write tasks/t4',
      '5 write tasks/t5',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a subscriber the ring overtakes while it catches up continues from the log', async () => {
    const feed = new Changefeed({ capacity: 2 });
    const store = storeWith(feed);
    writeTasks(store, 1, 3);
    const sub = feed.subscribe({ after: 1 });
    expect(describeEvents(await take(sub, 1))).toEqual(['2 write tasks/t2']);
    writeTasks(store, 4, 8);
    expect(describeEvents(await take(sub, 6))).toEqual([
      '3 write tasks/t3',
      '4 write tasks/t4',
      '5 write tasks/t5',
      '6 write tasks/t6',
      '7 write tasks/t7',
      '8 write tasks/t8',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('replays from a log longer than one read batch', async () => {
    const feed = new Changefeed({ capacity: 10 });
    const store = storeWith(feed);
    writeTasks(store, 1, 1200);
    const sub = feed.subscribe({ after: 0 });
    const seqs = (await take(sub, 1200)).map((e) => (e.kind === 'lagged' ? -1 : e.seq));
    expect(seqs).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
  });

  it('events replayed from the log keep derived, append, compacted and pruned kinds', async () => {
    const feed = new Changefeed({ capacity: 0 });
    const store = storeWith(feed);
    store.registerDerivation({
      sourceStore: 'tasks',
      targetStore: 'summaries',
      targetKey: 'all',
      rule: (facts) => ({ count: facts.length }),
    });
    store.setRetention('sessions', { strategy: 'ephemeral' });
    store.write({ store: 'tasks', key: 't1', value: 1 }); // 1, and its derived fact 2
    store.append({ history: 'audit', event: { action: 'login' } }); // 3
    const erased = store.write({ store: 'notes', key: 'n1', value: 1 }); // 4, pruned below
    store.write({ store: 'sessions', key: 's1', value: 1 }); // 5, compacted below
    store.write({ store: 'sessions', key: 's1', value: 2 }); // 6
    store.compact('sessions'); // receipt 7
    store.pruneFactIds({ factIds: [erased.id], reason: 'erasure', receiptStore: 'erasures' }); // receipt 8
    const events = await take(feed.subscribe({ after: 0 }), 7);
    expect(
      events.map((e) =>
        e.kind === 'lagged' ? `lagged ${e.missedFrom}..${e.missedTo}` : `${e.seq} ${e.kind} ${e.store}`,
      ),
    ).toEqual([
      '1 write tasks',
      '2 derived summaries',
      '3 append audit',
      'lagged 4..5',
      '6 write sessions',
      '7 compacted __compaction_receipts',
      '8 pruned erasures',
    ]);
  });
});

describe(`Changefeed lag when events are gone (${ENGINE_KIND} engine)`, () => {
  it('events pruned before the cursor resumes come first, as one lagged marker with their exact range', async () => {
    const feed = new Changefeed({ capacity: 1 });
    const store = storeWith(feed);
    const facts: Fact[] = [];
    for (let i = 1; i <= 4; i++) facts.push(store.write({ store: 'tasks', key: `t${i}`, value: i }));
    const receipt = store.pruneFactIds({ factIds: facts.slice(0, 3).map((f) => f.id), reason: 'erasure' });
    if (receipt.status !== 'ok') throw new Error('prune unsupported');
    const sub = feed.subscribe({ after: 0 });
    expect(describeEvents(await take(sub, 3))).toEqual([
      'lagged 1..3',
      '4 write tasks/t4',
      `5 pruned __fact_prune_receipts/${store.factById(receipt.receiptId ?? '')?.key}`,
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a gap pruned out of the middle of the log is reported in its place', async () => {
    const feed = new Changefeed({ capacity: 1 });
    const store = storeWith(feed);
    const facts: Fact[] = [];
    for (let i = 1; i <= 4; i++) facts.push(store.write({ store: 'tasks', key: `t${i}`, value: i }));
    store.pruneFactIds({ factIds: facts.slice(1, 3).map((f) => f.id), reason: 'erasure' });
    const events = await take(feed.subscribe({ after: 0 }), 4);
    expect(describeEvents(events).slice(0, 3)).toEqual([
      '1 write tasks/t1',
      'lagged 2..3',
      '4 write tasks/t4',
    ]);
    expect(events[3]).toMatchObject({ seq: 5, kind: 'pruned' });
  });

  it('a gap pruned out of a log longer than one read batch is reported in its place', async () => {
    const feed = new Changefeed({ capacity: 1 });
    const store = storeWith(feed);
    const facts: Fact[] = [];
    for (let i = 1; i <= 1200; i++) facts.push(store.write({ store: 'tasks', key: `t${i}`, value: i }));
    store.pruneFactIds({ factIds: facts.slice(599, 601).map((f) => f.id), reason: 'erasure' });
    const events = await take(feed.subscribe({ after: 0 }), 1200);
    const lines = describeEvents(events);
    expect(lines.slice(597, 601)).toEqual([
      '598 write tasks/t598',
      '599 write tasks/t599',
      'lagged 600..601',
      '602 write tasks/t602',
    ]);
    expect(lines.filter((line) => line.startsWith('lagged'))).toEqual(['lagged 600..601']);
    expect(events[1199]).toMatchObject({ seq: 1201, kind: 'pruned' });
  });

  it('without an attached log, a cursor older than the ring gets lagged first, then the ring', async () => {
    const source = new IgniterStore();
    const facts = Array.from({ length: 5 }, (_, i) =>
      source.write({ store: 'tasks', key: `t${i + 1}`, value: i }),
    );
    const feed = new Changefeed({ capacity: 2 });
    for (const fact of facts) feed.publish(fact, 'write');
    const sub = feed.subscribe({ after: 1 });
    expect(describeEvents(await take(sub, 3))).toEqual([
      'lagged 2..3',
      '4 write tasks/t4',
      '5 write tasks/t5',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });
});

describe(`Changefeed resume across a restart (${ENGINE_KIND} engine)`, () => {
  it('a subscriber resumes from its last seq on a reopened store, with a new changefeed, without gap or duplicate', async () => {
    const log = new MemoryLog();
    const firstFeed = new Changefeed();
    const first = storeWith(firstFeed, log);
    const before = firstFeed.subscribe();
    writeTasks(first, 1, 3);
    const processed = await take(before, 2);
    await first.close();
    const lastProcessed = processed[1]?.kind === 'lagged' ? 0 : (processed[1]?.seq ?? 0);

    const feed = new Changefeed();
    const reopened = storeWith(feed, log);
    writeTasks(reopened, 4, 5);
    const sub = feed.subscribe({ after: lastProcessed });
    writeTasks(reopened, 6, 6);
    expect(lastProcessed).toBe(2);
    expect(describeEvents(await take(sub, 4))).toEqual([
      '3 write tasks/t3',
      '4 write tasks/t4',
      '5 write tasks/t5',
      '6 write tasks/t6',
    ]);
    expect(await settlesNow(sub.next())).toBe(false);
  });

  it('a subscription made before the reopened store attaches its log still replays it', async () => {
    const log = new MemoryLog();
    const first = storeWith(new Changefeed(), log);
    writeTasks(first, 1, 2);
    await first.close();

    const feed = new Changefeed();
    const resuming = feed.subscribe({ after: 1 });
    const liveOnly = feed.subscribe();
    const reopened = storeWith(feed, log);
    writeTasks(reopened, 3, 3);
    expect(describeEvents(await take(resuming, 2))).toEqual(['2 write tasks/t2', '3 write tasks/t3']);
    expect(describeEvents(await take(liveOnly, 1))).toEqual(['3 write tasks/t3']);
  });

  it('a resuming subscriber already waiting when the log attaches receives the log first', async () => {
    const log = new MemoryLog();
    const first = storeWith(new Changefeed(), log);
    writeTasks(first, 1, 2);
    await first.close();

    const feed = new Changefeed();
    const sub = feed.subscribe({ after: 0 });
    const waiting = sub.next();
    const reopened = storeWith(feed, log);
    writeTasks(reopened, 3, 3);
    const result = await waiting;
    expect(result.done ? [] : describeEvents([result.value])).toEqual(['1 write tasks/t1']);
    expect(describeEvents(await take(sub, 2))).toEqual(['2 write tasks/t2', '3 write tasks/t3']);
  });

  it('one changefeed kept across a reopen of the same log keeps its subscribers', async () => {
    const log = new MemoryLog();
    const feed = new Changefeed();
    const first = storeWith(feed, log);
    const sub = feed.subscribe();
    writeTasks(first, 1, 2);
    await first.close();
    const reopened = storeWith(feed, log);
    writeTasks(reopened, 3, 3);
    expect(describeEvents(await take(sub, 3))).toEqual([
      '1 write tasks/t1',
      '2 write tasks/t2',
      '3 write tasks/t3',
    ]);
  });
});
