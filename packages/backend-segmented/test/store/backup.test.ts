import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore } from '@igniter/core';
import { backupWhileWriting, filesUnder, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

function openStore(
  dir: string,
  backend = new SegmentedFileBackend(dir, { maxSegmentFacts: 200 }),
): IgniterStore {
  return temp.track(new IgniterStore({ backend, engine: ENGINE }));
}

function plain(fact: Fact): Record<string, unknown> {
  return { ...fact };
}

describe(`backup() of a segmented store (${ENGINE} engine)`, () => {
  it('taken during a stream of writes, reopens with SegmentedFileBackend to the exact prefix up to its seq', async () => {
    const store = openStore(join(temp.dir(), 'live'));
    for (let i = 0; i < 3000; i++) store.write({ store: `s${i % 3}`, key: `k${i % 11}`, value: { i } });
    const dest = join(temp.dir(), 'backups', 'copy');
    const { result, writesDuring } = await backupWhileWriting(store, dest, 's0');
    expect(writesDuring).toBeGreaterThan(0);
    const files = filesUnder(dest);
    expect(result).toEqual({
      path: dest,
      seq: 3000,
      factCount: 3000,
      bytes: files.reduce((n, name) => n + statSync(join(dest, name)).size, 0),
    });
    expect(files.filter((name) => name.includes('.tmp-') || name.endsWith('.lock'))).toEqual([]);
    const copy = openStore(dest, new SegmentedFileBackend(dest));
    expect(copy.factLogAll().map(plain)).toEqual(
      store
        .factLogAll()
        .filter((f) => f.seq <= result.seq)
        .map(plain),
    );
    // Every segment of the copy is sealed, cut by the original's options (200 facts each).
    expect(copy.segmentManifest()?.stores.s1?.map((s) => [s.sealed, s.factCount])).toEqual([
      [true, 200],
      [true, 200],
      [true, 200],
      [true, 200],
      [true, 200],
    ]);
    expect(copy.write({ store: 's1', key: 'next', value: 0 }).seq).toBe(3001);
  });

  it('keeps the seq high-water mark when a purge took the newest facts', async () => {
    const dir = join(temp.dir(), 'live');
    const backend = new SegmentedFileBackend(dir);
    const store = openStore(dir, backend);
    store.write({ store: 'old', key: 'a', value: 1 });
    const kept = store.write({ store: 'kept', key: 'b', value: 2 });
    store.write({ store: 'old', key: 'a', value: 3 });
    store.checkpoint();
    await store.flush();
    expect(backend.purge({ store: 'old', before: Date.now() + 60_000 })).toHaveLength(1);
    const result = await store.backup(join(temp.dir(), 'copy'));
    expect(result).toMatchObject({ seq: 3, factCount: 1 });
    const copy = openStore(result.path, new SegmentedFileBackend(result.path));
    expect(copy.factLogAll().map(plain)).toEqual([plain(kept)]);
    expect(copy.write({ store: 'kept', key: 'b', value: 4 }).seq).toBe(4);
  });

  it('refuses a file, a non-empty directory or one inside the store, and accepts an empty directory', async () => {
    const store = openStore(join(temp.dir(), 'live'));
    store.write({ store: 'a', key: 'k', value: 1 });
    const file = join(temp.dir(), 'file');
    writeFileSync(file, '');
    await expect(store.backup(file)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const full = join(temp.dir(), 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), 'x');
    await expect(store.backup(full)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `backup destination ${full} exists and is not empty`,
    });
    await expect(store.backup(join(temp.dir(), 'live'))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const inside = join(temp.dir(), 'live', 'copy');
    await expect(store.backup(inside)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `backup destination ${inside} is inside this store's directory`,
    });
    const empty = join(temp.dir(), 'empty');
    mkdirSync(empty);
    expect((await store.backup(empty)).factCount).toBe(1);
    expect(filesUnder(temp.dir()).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});
