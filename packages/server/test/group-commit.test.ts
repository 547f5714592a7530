import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/group-commit.js';

/** A flush the test finishes by hand; records which writes each flush covered. */
function manualFlush() {
  let committed = 0;
  const flushes: Array<{ covers: number; finish: () => void }> = [];
  const flush = () =>
    new Promise<void>((resolve) => {
      flushes.push({ covers: committed, finish: resolve });
    });
  return { flushes, flush, commit: () => (committed += 1) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('callers waiting together share one flush', async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush, () => {}, 0);
    const waits = [1, 2, 3].map(() => {
      commit();
      return group.durable();
    });
    await tick();
    expect(flushes.map((f) => f.covers)).toEqual([3]);
    flushes[0]?.finish();
    await Promise.all(waits);
  });

  it('a write committed while a flush runs waits for the next flush, not the running one', async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush, () => {}, 0);
    commit();
    const first = group.durable();
    await tick();
    commit();
    let secondDone = false;
    const second = group.durable().then(() => {
      secondDone = true;
    });
    flushes[0]?.finish();
    await first;
    await tick();
    expect(secondDone).toBe(false);
    expect(flushes.map((f) => f.covers)).toEqual([1, 2]);
    flushes[1]?.finish();
    await second;
    expect(secondDone).toBe(true);
  });

  it('a caller long after the last flush gets a flush of its own at once', async () => {
    const { flushes, flush, commit } = manualFlush();
    const served: number[] = [];
    const group = new GroupCommit(flush, (writes) => served.push(writes), 1);
    commit();
    const first = group.durable();
    await tick();
    flushes[0]?.finish();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 10));
    commit();
    const second = group.durable();
    await tick();
    expect(flushes).toHaveLength(2);
    flushes[1]?.finish();
    await second;
    expect(served).toEqual([1, 1]);
  });

  it('a failed flush rejects its waiters and the next flush still runs', async () => {
    let calls = 0;
    const group = new GroupCommit(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('disk gone');
      },
      () => {},
      0,
    );
    await expect(group.durable()).rejects.toThrow('disk gone');
    await expect(group.durable()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
