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
/** Longer than the group's gathering wait after a flush ends. */
const gathered = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('GroupCommit', () => {
  it('callers waiting together share one flush', async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush);
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
    const group = new GroupCommit(flush);
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
    await gathered();
    expect(secondDone).toBe(false);
    expect(flushes.map((f) => f.covers)).toEqual([1, 2]);
    flushes[1]?.finish();
    await second;
    expect(secondDone).toBe(true);
  });

  it("calls the next group's flush while one runs, never more than depth at once", async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush, () => {}, 2, 1);
    commit();
    const a = group.durable();
    await tick();
    commit();
    const b = group.durable();
    await tick();
    // b's flush is called while a's still runs (the store's writer runs them in turn).
    expect(flushes.map((f) => f.covers)).toEqual([1, 2]);
    commit();
    let cDone = false;
    const c = group.durable().then(() => {
      cDone = true;
    });
    await tick();
    expect(flushes).toHaveLength(2);
    flushes[0]?.finish();
    await a;
    await tick();
    // A slot is free: c's group gets its flush, covering c's write.
    expect(flushes.map((f) => f.covers)).toEqual([1, 2, 3]);
    flushes[1]?.finish();
    await b;
    expect(cDone).toBe(false);
    flushes[2]?.finish();
    await c;
  });

  it('while a flush runs, a group calls another only once it has overlapAt callers', async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush, () => {}, 2, 3);
    commit();
    const a = group.durable();
    await tick();
    expect(flushes.map((f) => f.covers)).toEqual([1]);
    // One or two callers wait for the running flush instead of calling one each.
    const small = [1, 2].map(() => {
      commit();
      return group.durable();
    });
    await tick();
    expect(flushes).toHaveLength(1);
    // A third makes the group large enough to overlap.
    commit();
    const third = group.durable();
    await tick();
    expect(flushes.map((f) => f.covers)).toEqual([1, 4]);
    flushes[0]?.finish();
    flushes[1]?.finish();
    await Promise.all([a, ...small, third]);
    expect(flushes).toHaveLength(2);
  });

  it('a small group left waiting gets its flush when the running one ends', async () => {
    const { flushes, flush, commit } = manualFlush();
    // A gathering wait far longer than the 1 ms default, so that a busy machine cannot outlast it.
    const group = new GroupCommit(flush, () => {}, 2, 8, 200);
    commit();
    const a = group.durable();
    await tick();
    commit();
    const b = group.durable();
    await tick();
    expect(flushes).toHaveLength(1);
    flushes[0]?.finish();
    await a;
    await tick();
    // It gathers for a moment first (more writers may be on their way), then goes.
    expect(flushes).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(flushes.map((f) => f.covers)).toEqual([1, 2]);
    flushes[1]?.finish();
    await b;
  });

  it('a caller long after the last flush gets a flush of its own at once', async () => {
    const { flushes, flush, commit } = manualFlush();
    const served: number[] = [];
    const group = new GroupCommit(flush, (writes) => served.push(writes));
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
    );
    await expect(group.durable()).rejects.toThrow('disk gone');
    await expect(group.durable()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('after() callers share the flush with durable() callers and are called once it ended, in order', async () => {
    const { flushes, flush, commit } = manualFlush();
    const group = new GroupCommit(flush);
    const calls: Array<[string, number, unknown]> = [];
    const record = (target: string, arg: number, error: unknown) => calls.push([target, arg, error]);
    commit();
    group.after(record, 'a', 1);
    commit();
    const waiting = group.durable();
    commit();
    group.after(record, 'b', 2);
    await tick();
    expect(flushes.map((f) => f.covers)).toEqual([3]);
    expect(calls).toEqual([]);
    flushes[0]?.finish();
    await waiting;
    expect(calls).toEqual([
      ['a', 1, undefined],
      ['b', 2, undefined],
    ]);
  });

  it("a failed flush hands its error to after() callers, and the next group's flush still runs", async () => {
    let calls = 0;
    const failure = new Error('disk gone');
    const group = new GroupCommit(async () => {
      calls += 1;
      if (calls === 1) throw failure;
    });
    const seen: unknown[] = [];
    const record = (_target: null, _arg: null, error: unknown) => seen.push(error);
    group.after(record, null, null);
    group.after(record, null, null);
    await expect(group.durable()).rejects.toBe(failure);
    expect(seen).toEqual([failure, failure]);
    group.after(record, null, null);
    await group.durable();
    expect(seen).toEqual([failure, failure, undefined]);
    expect(calls).toBe(2);
  });
});
