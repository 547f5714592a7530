import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

const batch = [1, 2, 3, 4].map((i) => ({
  store: 'tasks',
  key: `t${i}`,
  value: { i, pad: 'x'.repeat(i === 3 ? 2000 : 10) },
}));

describe('writeMany on a segmented store', () => {
  it('a frame over maxFrameBytes refuses the whole batch: nothing stored, before or after a reopen', async () => {
    const dir = temp.dir();
    const options = { maxFrameBytes: 1024, maxSegmentFacts: 2, durability: 'fsync' } as const;
    const store = new IgniterStore({ engine, backend: new SegmentedFileBackend(dir, options) });
    store.write({ store: 'tasks', key: 'before', value: 0 });
    const error = thrown(() => store.writeMany(batch));
    expect(error.code).toBe('ERR_VALUE_TOO_LARGE');
    expect(error.details).toBeUndefined();
    expect(store.lastSeq()).toBe(1);
    expect(store.keys({ store: 'tasks' })).toEqual(['before']);
    store.writeMany([batch[0], batch[1], batch[3]] as typeof batch);
    await store.close();

    const reopened = new IgniterStore({ engine, backend: new SegmentedFileBackend(dir, options) });
    expect(reopened.history({ store: 'tasks' }).map((f) => [f.seq, f.key])).toEqual([
      [1, 'before'],
      [2, 't1'],
      [3, 't2'],
      [4, 't4'],
    ]);
    await reopened.close();
  });

  it('a segment that cannot be started (the store folder deleted) refuses the whole batch: nothing committed', async () => {
    const dir = temp.dir();
    const store = new IgniterStore({
      engine,
      backend: new SegmentedFileBackend(dir, { maxSegmentFacts: 2, durability: 'fsync' }),
    });
    store.write({ store: 'tasks', key: 'before', value: 0 });
    rmSync(join(dir, 'stores', 'tasks'), { recursive: true });
    // The batch does not fit beside 'before' (at most 2 facts a segment): its part needs a new
    // segment in the deleted folder, which is started before any fact of the batch is written.
    const error = thrown(() => store.writeMany(batch.map((input) => ({ ...input, value: input.key }))));
    expect(error.code).toBe('ENOENT');
    expect(error.details).toBeUndefined();
    expect(store.lastSeq()).toBe(1);
    expect(store.keys({ store: 'tasks' })).toEqual(['before']);
    await store.close();
  });
});
