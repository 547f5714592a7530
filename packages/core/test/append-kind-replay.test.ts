import { describe, expect, it } from 'vitest';
import { appendKey, isAppendKey } from '../src/append-key.js';
import { Changefeed, IgniterStore } from '../src/index.js';
import { uuidv7 } from '../src/uuid.js';
import { describeEvents, MemoryLog, take } from './support/changefeed.js';
import { ENGINE_KIND } from './support/engine.js';

describe(`appended facts replayed from the log (${ENGINE_KIND} engine)`, () => {
  it('a subscriber resuming from a reopened log gets an append as append, a write as write', async () => {
    const log = new MemoryLog();
    const first = new IgniterStore({ backend: log.backend() });
    first.write({ store: 'tasks', key: 't1', value: 1 });
    const appended = first.append({ history: 'audit', event: { n: 1 } });
    first.write({ store: 'tasks', key: uuidv7(appended.transactionTime), value: 2 });
    await first.close();
    const feed = new Changefeed({ capacity: 0 });
    const reopened = new IgniterStore({ backend: log.backend(), changefeed: feed });
    const events = describeEvents(await take(feed.subscribe({ after: 0 }), 3));
    expect(events[0]).toBe('1 write tasks/t1');
    expect(events[1]).toBe(`2 append audit/${appended.key}`);
    expect(events[2]).toMatch(/^3 write tasks\//);
    await reopened.close();
  });
});

describe('append keys', () => {
  it('are UUIDv7 of the transaction time, unique within one millisecond, and recognised', () => {
    const keys = Array.from({ length: 1000 }, () => appendKey(1_700_000_000_000));
    expect(new Set(keys).size).toBe(1000);
    for (const key of keys) {
      expect(key).toMatch(/^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isAppendKey(key, 1_700_000_000_000)).toBe(true);
      expect(isAppendKey(key, 1_700_000_000_001)).toBe(false);
    }
  });

  it('a UUIDv7 minted by uuidv7 is not an append key', () => {
    const plain = Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000));
    expect(plain.filter((key) => isAppendKey(key, 1_700_000_000_000))).toEqual([]);
  });
});
