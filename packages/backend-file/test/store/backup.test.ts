import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact, IgniterStore } from '@igniter/core';
import { backupWhileWriting, filesUnder, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

function open(path: string): IgniterStore {
  return temp.track(openFileStore(path, { engine }));
}

function plain(fact: Fact): Record<string, unknown> {
  return { ...fact };
}

describe(`backup() of a file store (${engine} engine)`, () => {
  it('taken during a stream of writes, reopens with openFileStore to the exact prefix up to its seq', async () => {
    const store = open(join(temp.dir(), 'live', 'app.log'));
    for (let i = 0; i < 2500; i++) store.write({ store: 'readings', key: `r${i % 9}`, value: { i } });
    store.checkpoint();
    await store.flush();
    for (let i = 0; i < 500; i++) store.write({ store: 'readings', key: 'tail', value: { i } });
    const dest = join(temp.dir(), 'backups', 'app.log');
    const { result, writesDuring } = await backupWhileWriting(store, dest, 'readings');
    expect(writesDuring).toBeGreaterThan(0);
    expect(result).toEqual({
      path: dest,
      seq: 3000,
      factCount: 3000,
      bytes: statSync(dest).size + statSync(`${dest}.snapshot`).size,
    });
    expect(filesUnder(join(temp.dir(), 'backups'))).toEqual(['app.log', 'app.log.snapshot']);
    const copy = open(dest);
    expect(copy.factLogAll().map(plain)).toEqual(
      store
        .factLogAll()
        .filter((f) => f.seq <= result.seq)
        .map(plain),
    );
    expect(copy.write({ store: 'readings', key: 'next', value: 0 }).seq).toBe(3001);
  });

  it('refuses its own log and side files, a non-empty file and a destination with a snapshot beside it', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    store.write({ store: 'a', key: 'k', value: 1 });
    await expect(store.backup(path)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(store.backup(`${path}.snapshot`)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `backup destination ${path}.snapshot is this store's log or one of its side files`,
    });
    const other = join(temp.dir(), 'other.log');
    writeFileSync(other, 'x');
    await expect(store.backup(other)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const leftover = join(temp.dir(), 'leftover.log');
    writeFileSync(`${leftover}.snapshot`, '');
    await expect(store.backup(leftover)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `backup destination ${leftover} has a snapshot file ${leftover}.snapshot; remove it first`,
    });
    expect(filesUnder(temp.dir())).toEqual(['app.log', 'app.log.lock', 'leftover.log.snapshot', 'other.log']);
  });
});
