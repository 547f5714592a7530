import { join } from 'node:path';
import { type ChangeEvent, Changefeed, IgniterError, IgniterStore, type WriteInput } from '@igniter/core';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

const batch: WriteInput[] = [1, 2, 3, 4].map((i) => ({
  store: 'tasks',
  key: `t${i}`,
  value: { i, pad: 'x'.repeat(i === 3 ? 2000 : 10) },
}));

// A frame over the backend's maxFrameBytes is refused by storage after the engine checked the
// value: writeMany stores the whole batch or none of it (API.md), on both engines, with the
// native engine's framing in Rust and with frames encoded in JS.
describe('writeMany refused by storage partway', () => {
  it('commits none of the batch, announces nothing, and the store goes on', async () => {
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
        if (events.length === 2) break;
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
    expect((error as IgniterError).details).toBeUndefined();
    expect(store.lastSeq()).toBe(0);
    expect(store.read({ store: 'tasks', key: 't1' })).toBeUndefined();
    expect(store.factCount()).toBe(0);
    expect(consumed).toEqual([]);

    // The next writes take the next seqs and reach consumers and the changefeed in order.
    store.writeMany(batch.filter((_, i) => i !== 2));
    await reading;
    expect(events.map((e) => ('seq' in e ? [e.seq, e.key] : e))).toEqual([
      [1, 't1'],
      [2, 't2'],
    ]);
    expect(consumed).toEqual(['t1', 't2', 't4']);
    await store.close();

    const reopened = openFileStore(path, { engine });
    expect(reopened.history({ store: 'tasks' }).map((f) => [f.seq, f.key, f.causation])).toEqual([
      [1, 't1', null],
      [2, 't2', null],
      [3, 't4', null],
    ]);
    await reopened.close();
  });

  it('a batch the native engine leaves to JS to frame is all or nothing too', async () => {
    // An idempotency key starting with a NUL is outside the form Rust frames: the whole batch is
    // then framed in JS.
    const unusual = { store: 'tasks', key: 'nul-key', value: 1, idempotencyKey: '\u0000k' };
    const path = join(temp.dir(), 'js-framed.log');
    const store = openFileStore(path, { engine, maxFrameBytes: 1024 });
    const error = thrown(() =>
      store.writeMany([batch[0] as WriteInput, unusual, batch[1] as WriteInput, batch[2] as WriteInput]),
    );
    expect(error.code).toBe('ERR_VALUE_TOO_LARGE');
    expect(store.lastSeq()).toBe(0);
    store.writeMany([batch[0] as WriteInput, unusual, batch[0] as WriteInput]);
    store.write({ store: 'tasks', key: 'after', value: 2 });
    await store.close();

    const reopened = openFileStore(path, { engine });
    expect(reopened.history({ store: 'tasks' }).map((f) => [f.seq, f.key, f.idempotencyKey])).toEqual([
      [1, 't1', null],
      [2, 'nul-key', '\u0000k'],
      [3, 't1', null],
      [4, 'after', null],
    ]);
    expect(reopened.history({ store: 'tasks', key: 't1' })[1]?.causation).toBe(
      reopened.history({ store: 'tasks', key: 't1' })[0]?.id,
    );
    await reopened.close();
  });

  it('a refusal of the first item commits nothing and rethrows the error as it was', async () => {
    const path = join(temp.dir(), 'first.log');
    const store = new IgniterStore({ engine, backend: new FileBackend(path, { maxFrameBytes: 1024 }) });
    const error = thrown(() => store.writeMany(batch.slice(2)));
    expect(error.code).toBe('ERR_VALUE_TOO_LARGE');
    expect(error.details).toBeUndefined();
    expect(store.lastSeq()).toBe(0);
    await store.close();
  });
});
