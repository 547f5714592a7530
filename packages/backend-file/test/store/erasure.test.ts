import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IgniterStore } from '@igniter/core';
import { filesContaining, filesUnder, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const MARKER = 'ERASE-ME-3f9c1a7e';

function open(path: string, durability: 'group' | 'fsync' | 'none' = 'group'): IgniterStore {
  return temp.track(openFileStore(path, { engine, durability }));
}

describe(`physical erasure in a file store (${engine} engine)`, () => {
  it('a pruned value is in no file after flush: not in the log, the snapshot or any other file', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
    store.checkpoint();
    await store.flush();
    store.write({ store: 'people', key: 'p1', value: { name: `${MARKER} again` } });
    await store.flush();
    // The native engine's checkpoint also wrote its image, which holds the fact too.
    expect(filesContaining(temp.dir(), MARKER)).toEqual(
      engine === 'native'
        ? ['app.log', 'app.log.image', 'app.log.snapshot']
        : ['app.log', 'app.log.snapshot'],
    );
    const again = store.history({ store: 'people', key: 'p1' })[1];
    const result = store.pruneFactIds({ factIds: [secret.id, again?.id ?? ''], reason: 'erasure request' });
    expect(result).toMatchObject({ status: 'ok', prunedCount: 2 });
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    expect(filesUnder(temp.dir())).toEqual(['app.log', 'app.log.lock', 'app.log.snapshot']);
    expect(store.read({ store: 'people', key: 'p2' })).toEqual({ name: 'kept' });
  });

  it('a value still in the group-commit buffer when pruned never reaches a file', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path, 'group');
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
  });

  it('a log that a crash left behind the newer snapshot of a prune is cut when the store opens', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path, 'fsync');
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    const kept = store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
    const staleLog = readFileSync(path);
    const { receiptId } = store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' }) as {
      receiptId: string;
    };
    await store.close();
    // The state a crash leaves between the prune's snapshot rename and its cut of the log.
    writeFileSync(path, staleLog);
    expect(filesContaining(temp.dir(), MARKER)).toEqual(['app.log']);
    const reopened = open(path, 'fsync');
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    expect(reopened.factLogAll().map((f) => f.id)).toEqual([kept.id, receiptId]);
    expect(await reopened.verify()).toEqual({ ok: true, factsChecked: 2, problems: [], warnings: [] });
    expect(reopened.write({ store: 'people', key: 'p3', value: 1 }).seq).toBe(4);
  });
});
