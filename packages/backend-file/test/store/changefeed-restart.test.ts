import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChangeEvent, Changefeed, type ChangeSubscription, type IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

async function take(subscription: ChangeSubscription, n: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const result = await subscription.next();
    if (result.done) throw new Error(`subscription ended after ${lines.length} of ${n} events`);
    lines.push(describe1(result.value));
  }
  return lines;
}

function describe1(e: ChangeEvent): string {
  return e.kind === 'lagged'
    ? `lagged ${e.missedFrom}..${e.missedTo}`
    : `${e.seq} ${e.kind} ${e.store}/${e.key}`;
}

function writeTasks(store: IgniterStore, from: number, to: number): void {
  for (let i = from; i <= to; i++) store.write({ store: 'tasks', key: `t${i}`, value: i });
}

describe(`Changefeed across a restart of a file store (${ENGINE} engine)`, () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'igniter-changefeed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a subscriber resumes from its last seq after a reopen, replaying from the log without gap or duplicate', async () => {
    const path = join(dir, 'app.log');
    const firstFeed = new Changefeed();
    const first = openFileStore(path, { changefeed: firstFeed, durability: 'fsync' });
    const before = firstFeed.subscribe();
    writeTasks(first, 1, 3);
    expect(await take(before, 2)).toEqual(['1 write tasks/t1', '2 write tasks/t2']);
    await first.close();

    const feed = new Changefeed();
    const reopened = openFileStore(path, { changefeed: feed });
    try {
      const sub = feed.subscribe({ after: 2 });
      writeTasks(reopened, 4, 4);
      expect(await take(sub, 2)).toEqual(['3 write tasks/t3', '4 write tasks/t4']);
      writeTasks(reopened, 5, 5);
      expect(await take(sub, 1)).toEqual(['5 write tasks/t5']);
      expect(feed.stats().subscribers[0]).toMatchObject({ state: 'live', cursor: 5, queueDepth: 0 });
    } finally {
      await reopened.close();
    }
  });

  it('seqs pruned before the restart come as a lagged marker with their exact range', async () => {
    const path = join(dir, 'app.log');
    const first = openFileStore(path, { changefeed: new Changefeed(), durability: 'fsync' });
    const erased = first.write({ store: 'tasks', key: 't1', value: 1 });
    writeTasks(first, 2, 2);
    first.pruneFactIds({ factIds: [erased.id], reason: 'erasure' }); // receipt: seq 3
    await first.close();

    const feed = new Changefeed();
    const reopened = openFileStore(path, { changefeed: feed });
    try {
      const lines = await take(feed.subscribe({ after: 0 }), 3);
      expect(lines.slice(0, 2)).toEqual(['lagged 1..1', '2 write tasks/t2']);
      expect(lines[2]).toMatch(/^3 pruned __fact_prune_receipts\//);
    } finally {
      await reopened.close();
    }
  });
});
