import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { filesContaining, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const MARKER = 'ERASE-ME-8b2e55c1';

function openStore(dir = join(temp.dir(), 'store')): IgniterStore {
  const backend = new SegmentedFileBackend(dir, { maxSegmentFacts: 2 });
  return temp.track(new IgniterStore({ backend, engine: ENGINE }));
}

describe(`physical erasure in a segmented store (${ENGINE} engine)`, () => {
  it('a pruned value in a sealed segment is in no file after flush', async () => {
    const store = openStore();
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
    store.write({ store: 'people', key: 'p3', value: { name: 'live' } });
    store.write({ store: 'other', key: 'o1', value: { note: 'untouched' } });
    await store.flush();
    expect(store.segmentManifest()?.stores.people?.map((s) => s.sealed)).toEqual([true, false]);
    expect(filesContaining(temp.dir(), MARKER)).toHaveLength(1);
    expect(store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' })).toMatchObject({
      status: 'ok',
      prunedCount: 1,
    });
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    expect(store.read({ store: 'people', key: 'p3' })).toEqual({ name: 'live' });
    expect(await store.verify()).toMatchObject({ ok: true, factsChecked: 4 });
  });

  it('a pruned value in the live segment is in no file after flush', async () => {
    const store = openStore();
    store.write({ store: 'people', key: 'p0', value: { name: 'first' } });
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
  });
});
