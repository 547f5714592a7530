import { join } from 'node:path';
import { type ChangeEvent, Changefeed, IgniterError, IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

const batch = [1, 2, 3, 4].map((i) => ({
  store: 'tasks',
  key: `t${i}`,
  value: { i, pad: 'x'.repeat(i === 3 ? 2000 : 10) },
}));

// A frame over the backend's maxFrameBytes is refused by storage after the engine took the
// fact, so a batch can be refused partway: the facts before it are in the log.
describe('writeMany refused by storage partway', () => {
  it('announces the committed facts, says how far it got, and the store goes on', async () => {
    const path = join(temp.dir(), 'app.log');
    const changefeed = new Changefeed();
    const store = new IgniterStore({
      engine,
      changefeed,
      backend: new FileBackend(path, { maxFrameBytes: 1024 }),
    });
    const consumed: string[] = [];
    store.registerPath({ store: 'tasks', consumers: [(event) => consumed.push(event.key)] });
    const events: ChangeEvent[] = [];
    const subscription = changefeed.subscribe({});
    const reading = (async () => {
      for await (const event of subscription) {
        events.push(event);
        if (events.length === 3) break;
      }
    })();

    let error: unknown;
    try {
      store.writeMany(batch);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IgniterError);
    expect((error as IgniterError).code).toBe('ERR_VALUE_TOO_LARGE');
    expect((error as IgniterError).details).toEqual({ committed: 2, committedThroughSeq: 2 });
    expect((error as IgniterError).message).toMatch(/the first 2 of 4 facts, through seq 2, were committed/);
    expect(store.lastSeq()).toBe(2);
    expect(consumed).toEqual(['t1', 't2']);

    // Later writes reach consumers and the changefeed in seq order: nothing waits on the batch.
    store.write({ store: 'tasks', key: 'later', value: 1 });
    await reading;
    expect(events.map((e) => ('seq' in e ? [e.seq, e.key] : e))).toEqual([
      [1, 't1'],
      [2, 't2'],
      [3, 'later'],
    ]);
    expect(consumed).toEqual(['t1', 't2', 'later']);
    await store.close();

    const reopened = openFileStore(path, { engine });
    expect(reopened.history({ store: 'tasks' }).map((f) => [f.seq, f.key])).toEqual([
      [1, 't1'],
      [2, 't2'],
      [3, 'later'],
    ]);
    await reopened.close();
  });

  it('a refusal of the first item commits nothing and rethrows the error as it was', async () => {
    const path = join(temp.dir(), 'first.log');
    const store = new IgniterStore({ engine, backend: new FileBackend(path, { maxFrameBytes: 1024 }) });
    let error: unknown;
    try {
      store.writeMany(batch.slice(2));
    } catch (caught) {
      error = caught;
    }
    expect((error as IgniterError).code).toBe('ERR_VALUE_TOO_LARGE');
    expect((error as IgniterError).details?.committed).toBeUndefined();
    expect(store.lastSeq()).toBe(0);
    await store.close();
  });
});
