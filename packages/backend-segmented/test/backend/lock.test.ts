import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { thrown, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';
import { factOf } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');

describe('the single-writer lock', () => {
  beforeAll(assertBuilt);

  it('makes a second open in this process fail with ERR_LOCKED until the first is closed', async () => {
    const first = new SegmentedFileBackend(temp.dir());
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.details).toEqual({ path: join(temp.dir(), 'catalog') });
    expect(error.message).toContain('by another store in this process');
    await first.close();
    expect(existsSync(join(temp.dir(), 'catalog.lock'))).toBe(false);
    temp.track(new SegmentedFileBackend(temp.dir()));
  });

  it('is held across processes, and taken over once the holder dies', async () => {
    const holder = spawnScript('lock-holder.mjs', [temp.dir()]);
    await waitForLine(holder.lines, /^locked$/);
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.message).toContain(`by process ${holder.child.pid}`);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    backend.writeFact(factOf(1));
    expect([...backend.replay()]).toEqual([factOf(1)]);
  });

  it('is released by closeSync, and a closed backend refuses every call with ERR_CLOSED', () => {
    const backend = new SegmentedFileBackend(temp.dir());
    backend.writeFact(factOf(1));
    backend.closeSync();
    backend.closeSync();
    expect(thrown(() => backend.writeFact(factOf(2))).code).toBe('ERR_CLOSED');
    expect(thrown(() => backend.replay()).code).toBe('ERR_CLOSED');
    expect(thrown(() => backend.replaceWithSnapshot([], { lastSeq: 1 })).code).toBe('ERR_CLOSED');
    expect(backend.storageStats().factCount).toBe(1);
    expect([...temp.track(new SegmentedFileBackend(temp.dir())).replay()]).toEqual([factOf(1)]);
  });

  it('covers the directory, not its path: a symlink to it is ERR_LOCKED in this process', () => {
    const alias = `${temp.dir()}-alias`;
    symlinkSync(temp.dir(), alias);
    try {
      temp.track(new SegmentedFileBackend(temp.dir()));
      expect(thrown(() => new SegmentedFileBackend(alias)).code).toBe('ERR_LOCKED');
    } finally {
      rmSync(alias);
    }
  });

  it('holds the directory itself across processes: without its lock file it is still ERR_LOCKED', async () => {
    const holder = spawnScript('lock-holder.mjs', [temp.dir()]);
    try {
      await waitForLine(holder.lines, /^locked$/);
      // What a second path to the directory (a bind mount) would see: no lock file of its own.
      rmSync(join(temp.dir(), 'catalog.lock'));
      const error = thrown(() => new SegmentedFileBackend(temp.dir()));
      expect(error.code).toBe('ERR_LOCKED');
      expect(error.message).toContain('by another process, through another path to the same file');
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    temp.track(new SegmentedFileBackend(temp.dir()));
  });
});
