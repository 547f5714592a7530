import { existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { codeOf, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

describe('openFileStore', () => {
  it('replays every fact before returning: values, history, ids and the next seq', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    expect(store.engine).toBe(engine);
    const f1 = store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    const f2 = store.write({
      store: 'tasks',
      key: 't1',
      value: { status: 'done' },
      validTime: 1_600_000_000_000,
    });
    store.append({ history: 'audit', event: { what: 'closed t1' } });
    await store.close();

    const again = openFileStore(path, { engine });
    expect(again.read({ store: 'tasks', key: 't1' })).toEqual({ status: 'done' });
    expect(again.history({ store: 'tasks', key: 't1' })).toEqual([f1, f2]);
    expect(again.factById(f2.id)).toEqual(f2);
    expect(again.causationChain({ store: 'tasks', key: 't1' }).map((s) => s.id)).toEqual([f1.id, f2.id]);
    expect(again.factCount()).toBe(3);
    expect(again.write({ store: 'tasks', key: 't2', value: 1 }).seq).toBe(4);
    await again.close();
  });

  it('a checkpoint makes a reopen replay the snapshot plus only what followed', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't2', value: 2 });
    store.checkpoint();
    await store.flush();
    const emptyLog = statSync(path).size;
    store.write({ store: 'tasks', key: 't3', value: 3 });
    await store.close();
    expect(existsSync(`${path}.snapshot`)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(emptyLog);

    const again = openFileStore(path, { engine });
    expect(again.factLogAll().map((f) => f.value)).toEqual([1, 2, 3]);
    await again.close();
  });

  it('a second open of the same log is ERR_LOCKED until the first closes', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    expect(codeOf(() => openFileStore(path, { engine }))).toBe('ERR_LOCKED');
    await store.close();
    await openFileStore(path, { engine }).close();
  });

  it('a bad store option throws and leaves the log unlocked', async () => {
    const path = join(temp.dir(), 'app.log');
    expect(codeOf(() => openFileStore(path, { engine, lruCap: -1 }))).toBe('ERR_INVALID_ARGUMENT');
    await openFileStore(path, { engine }).close();
  });

  it('reports a torn tail truncated at open in storageStats', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    store.write({ store: 'tasks', key: 't2', value: 2 });
    await store.close();
    truncateSync(path, statSync(path).size - 5);
    const again = openFileStore(path, { engine });
    expect(again.factLogAll().map((f) => f.key)).toEqual(['t1']);
    expect(again.storageStats()?.recoveredTailBytes).toBeGreaterThan(0);
    expect(again.storageStats({ store: 'tasks' })?.stores).toEqual({
      tasks: { factCount: 1, byteSize: expect.any(Number) },
    });
    await again.close();
  });
});

describe('prune and compaction on a file store', () => {
  const filesContain = (text: string): string[] =>
    readdirSync(temp.dir()).filter((name) => readFileSync(join(temp.dir(), name)).includes(text));

  it('a pruned value is in no file once pruneFactIds has returned, and stays gone after reopen', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    const secret = store.write({ store: 'users', key: 'u1', value: { ssn: 'SECRET-123-45-6789' } });
    store.write({ store: 'users', key: 'u2', value: { ssn: 'public' } });
    await store.flush();
    expect(filesContain('SECRET-123-45-6789')).toEqual(['app.log']);
    const result = store.pruneFactIds({ factIds: [secret.id], reason: 'gdpr' });
    expect(result).toMatchObject({ status: 'ok', prunedCount: 1 });
    await store.flush();
    expect(filesContain('SECRET-123-45-6789')).toEqual([]);
    const next = store.write({ store: 'users', key: 'u3', value: 3 });
    await store.close();

    const again = openFileStore(path, { engine });
    expect(again.factById(secret.id)).toBeUndefined();
    expect(again.read({ store: 'users', key: 'u2' })).toEqual({ ssn: 'public' });
    expect(again.write({ store: 'users', key: 'u4', value: 4 }).seq).toBe(next.seq + 1);
    await again.close();
  });

  it('ephemeral compaction drops old versions durably and never reuses their seqs', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine });
    store.setRetention('cache', { strategy: 'ephemeral' });
    store.write({ store: 'cache', key: 'k', value: 'OLD-VERSION-1' });
    store.write({ store: 'cache', key: 'k', value: 'OLD-VERSION-2' });
    const latest = store.write({ store: 'cache', key: 'k', value: 'current' });
    const [result] = store.compact('cache');
    expect(result).toMatchObject({ store: 'cache', droppedCount: 2, keptCount: 1 });
    expect(filesContain('OLD-VERSION')).toEqual([]);
    await store.close();

    const again = openFileStore(path, { engine });
    expect(again.history({ store: 'cache', key: 'k' })).toEqual([latest]);
    expect(again.compactionReceipts({ store: 'cache' })).toHaveLength(1);
    expect(again.write({ store: 'cache', key: 'k', value: 'next' }).seq).toBeGreaterThan(latest.seq + 1);
    await again.close();
  });

  it('FileBackend supports exact prune (the store does not report it unsupported)', async () => {
    const store = new IgniterStore({ engine, backend: new FileBackend(join(temp.dir(), 'app.log')) });
    const fact = store.write({ store: 'a', key: 'k', value: 1 });
    expect(store.pruneFactIds({ factIds: [fact.id], reason: 'test' }).status).toBe('ok');
    await store.close();
  });
});
