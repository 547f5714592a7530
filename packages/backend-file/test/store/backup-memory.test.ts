import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Backend, type Fact, IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';

// store.backup() of a store without a file backend: core writes the copy with this package's
// writeBackupLog (loaded lazily; core's manifest names no edge to it).
const temp = useTempDir('igniter-file-');
const ENGINE_KIND = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

function newStore(): { store: IgniterStore } {
  return { store: temp.track(new IgniterStore({ engine: ENGINE_KIND })) };
}

/** A backend that keeps its facts in memory and has no backup of its own. */
function memoryBackend(facts: readonly Fact[], highWater: number): Backend {
  return {
    replay: () => facts,
    writeFact: () => undefined,
    highWaterSeq: () => highWater,
    flush: async () => undefined,
    close: async () => undefined,
  };
}

/** A fact as a plain object (a native fact's value is an accessor). */
function plain(fact: Fact): Record<string, unknown> {
  return { ...fact };
}

function openCopy(path: string): ReturnType<typeof openFileStore> {
  return temp.track(openFileStore(path, { engine: ENGINE_KIND }));
}

describe(`backup of an in-memory store (${ENGINE_KIND} engine)`, () => {
  it('writes a file-backend log that reopens to exactly its facts, and continues above its seq', async () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { title: 'write', done: false } });
    store.write({ store: 'tasks', key: 't1', value: { title: 'write', done: true } });
    store.append({ history: 'events', event: { kind: 'created' } });
    const path = join(temp.dir(), 'copy.log');
    const result = await store.backup(path);
    expect(result).toEqual({
      path,
      seq: 3,
      factCount: 3,
      bytes: statSync(path).size + statSync(`${path}.snapshot`).size,
    });
    const copy = openCopy(path);
    expect(copy.factLogAll().map(plain)).toEqual(store.factLogAll().map(plain));
    expect(copy.write({ store: 'tasks', key: 't2', value: 1 }).seq).toBe(4);
  });

  it('keeps the seq high-water mark of a backend without backup support', async () => {
    const seed = newStore().store;
    const facts = [seed.write({ store: 'a', key: 'k', value: 1 })];
    const store = temp.track(new IgniterStore({ backend: memoryBackend(facts, 50), engine: ENGINE_KIND }));
    const path = join(temp.dir(), 'custom.log');
    const result = await store.backup(path);
    expect(result).toMatchObject({ path, seq: 50, factCount: 1 });
    const copy = openCopy(path);
    expect(copy.factLogAll().map(plain)).toEqual(facts.map(plain));
    expect(copy.write({ store: 'a', key: 'k', value: 2 }).seq).toBe(51);
  });

  it('refuses a destination that exists and is not empty, and writes nothing', async () => {
    const { store } = newStore();
    store.write({ store: 'a', key: 'k', value: 1 });
    const path = join(temp.dir(), 'taken.log');
    writeFileSync(path, 'something else');
    await expect(store.backup(path)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(existsSync(`${path}.snapshot`)).toBe(false);
    await expect(store.backup(temp.dir())).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('accepts an existing empty file as the destination', async () => {
    const { store } = newStore();
    store.write({ store: 'a', key: 'k', value: 1 });
    const path = join(temp.dir(), 'empty.log');
    writeFileSync(path, '');
    expect((await store.backup(path)).factCount).toBe(1);
    expect(openCopy(path).factLogAll()).toHaveLength(1);
  });

  it('rejects a missing or empty path with ERR_INVALID_ARGUMENT, and ERR_CLOSED after close', async () => {
    const { store } = newStore();
    await expect(store.backup('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(store.backup(undefined as unknown as string)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await store.close();
    await expect(store.backup(join(temp.dir(), 'late.log'))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
