import { describe, expect, it } from 'vitest';
import { GroupSync, type SyncableWriter } from '../../src/group-sync.js';

/** A stand-in writer that counts its blocking and background fsyncs. */
function fakeWriter(): SyncableWriter & { syncs: number; backgroundSyncs: number } {
  const writer = {
    syncs: 0,
    backgroundSyncs: 0,
    flushSync(): void {
      writer.syncs += 1;
    },
    async flush(): Promise<void> {
      writer.backgroundSyncs += 1;
    },
  };
  return writer;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The event loop never yields here: the commit must come from the next append.
  }
}

describe('group commit across live segments', () => {
  it('fsyncs every segment written in the window before the first append after it, without yielding', () => {
    const sync = new GroupSync(5, 1 << 20);
    const a = fakeWriter();
    const b = fakeWriter();
    sync.beforeAppend(10);
    sync.appended(a, 10);
    sync.beforeAppend(10);
    sync.appended(b, 10);
    expect([a.syncs, b.syncs]).toEqual([0, 0]);
    busyWait(6);
    sync.beforeAppend(10);
    expect([a.syncs, b.syncs]).toEqual([1, 1]);
    sync.appended(a, 10);
    sync.beforeAppend(10);
    expect([a.syncs, b.syncs]).toEqual([1, 1]);
    sync.stop();
  });

  it('fsyncs before an append that would pass groupCommitBytes', () => {
    const sync = new GroupSync(60_000, 100);
    const a = fakeWriter();
    sync.appended(a, 60);
    sync.beforeAppend(40);
    expect(a.syncs).toBe(0);
    sync.beforeAppend(41);
    expect(a.syncs).toBe(1);
    sync.stop();
  });

  it('fsyncs on the libuv pool from a timer when the loop is idle, and never a forgotten writer', async () => {
    const sync = new GroupSync(5, 1 << 20);
    const a = fakeWriter();
    const b = fakeWriter();
    sync.appended(a, 10);
    sync.appended(b, 10);
    sync.forget(b);
    await new Promise((r) => setTimeout(r, 30));
    expect([a.backgroundSyncs, b.backgroundSyncs]).toEqual([1, 0]);
    expect([a.syncs, b.syncs]).toEqual([0, 0]);
  });

  it('keeps the writers it could not fsync yet due after a failure', () => {
    const sync = new GroupSync(0, 1 << 20);
    const failing = fakeWriter();
    failing.flushSync = () => {
      throw new Error('EIO');
    };
    const later = fakeWriter();
    sync.appended(failing, 10);
    sync.appended(later, 10);
    expect(() => sync.beforeAppend(10)).toThrow('EIO');
    expect(later.syncs).toBe(0);
    sync.beforeAppend(10);
    expect(later.syncs).toBe(1);
    sync.stop();
  });
});
