import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const temp = useTempDir('igniter-file-');

/** A native-engine store in 'group' mode whose window is a minute: only a flush commits. */
function nativeStore() {
  const path = join(temp.dir(), 'app.log');
  const backend = new FileBackend(path, { engine: 'native', groupCommitMs: 60_000 });
  const store = temp.track(new IgniterStore({ engine: 'native', backend }));
  return { path, backend, store };
}

describe("a flush of the native writer in 'group' mode", () => {
  beforeAll(() => assertBuilt());

  it('has the writer thread commit at once instead of waiting for the window', async () => {
    const { backend, store } = nativeStore();
    for (let n = 1; n <= 3; n++) store.write({ store: 'orders', key: `o-${n}`, value: n });
    expect(backend.durabilityStatus()).toMatchObject({ lastSeq: 3, durableSeq: 0, syncs: 0 });
    await store.flush();
    expect(backend.durabilityStatus()).toEqual({
      durability: 'group',
      pendingBytes: 0,
      lastSeq: 3,
      durableSeq: 3,
      syncs: 1,
    });
    // Nothing new: a flush resolves without a commit.
    await store.flush();
    expect(backend.durabilityStatus().syncs).toBe(1);
  });

  it('settles overlapping flushes, each once its own facts are durable', async () => {
    const { path, backend, store } = nativeStore();
    store.write({ store: 'orders', key: 'o-1', value: 1 });
    const first = backend.flush().then(() => backend.durabilityStatus().durableSeq);
    store.write({ store: 'orders', key: 'o-2', value: 2 });
    store.write({ store: 'orders', key: 'o-3', value: 3 });
    const second = backend.flush().then(() => backend.durabilityStatus().durableSeq);
    const [firstSeen, secondSeen] = await Promise.all([first, second]);
    expect(firstSeen).toBeGreaterThanOrEqual(1);
    expect(secondSeen).toBe(3);
    await store.close();
    const again = temp.track(new IgniterStore({ engine: 'native', backend: new FileBackend(path) }));
    expect(again.factCount()).toBe(3);
  });

  it('refuses after close, and a flush pending at close resolves once its facts are durable', async () => {
    const { backend, store } = nativeStore();
    store.write({ store: 'orders', key: 'o-1', value: 1 });
    const pending = backend.flush();
    await store.close();
    await expect(pending).resolves.toBeUndefined();
    await expect(backend.flush()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('keeps a process whose only pending work is the flush alive until it resolves', async () => {
    const run = spawnScript('flush-only.mjs', [join(temp.dir(), 'app.log')]);
    await run.exited;
    expect(run.lines).toEqual(['durable 3 1']);
  });
});
