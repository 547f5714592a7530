import { IgniterError } from '@igniter/core';
import { contractFact } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { type CommitOp, GroupCommit } from '../../src/group-commit.js';

/** A group commit whose ops are recorded (as the seqs each batch holds) and succeed at once. */
function recorded(groupCommitMs: number): { commit: GroupCommit; batches: string[][] } {
  const batches: string[][] = [];
  const run = async (op: CommitOp) => {
    batches.push([...op.rows.seq]);
  };
  const commit = new GroupCommit(run, { durability: 'group', groupCommitMs, onFailure: () => undefined });
  return { commit, batches };
}

const add = (commit: GroupCommit, seq: number) => commit.add(contractFact(seq), JSON.stringify({ n: seq }));
/** Lets the event loop finish this turn and run what was set to run right after it. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it("an idle writer's fact is committed at the end of the turn, without waiting for groupCommitMs", async () => {
    const { commit, batches } = recorded(60_000);
    add(commit, 1);
    add(commit, 2);
    expect(batches).toEqual([]);
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([['1', '2']]);
  });

  it('a fact written within groupCommitMs of the last batch waits for the window, or for flush()', async () => {
    const { commit, batches } = recorded(60_000);
    add(commit, 1);
    await nextTurn();
    await nextTurn();
    add(commit, 2);
    add(commit, 3);
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([['1']]);
    await commit.flush();
    expect(batches).toEqual([['1'], ['2', '3']]);
    // Clears the window's timer.
    commit.fail(new IgniterError('ERR_CLOSED', 'the test is over'));
  });

  it('batches sealed while a commit is in flight go as one statement after it, up to 4096 rows', async () => {
    const batches: string[][] = [];
    let release = () => {};
    const run = async (op: CommitOp) => {
      batches.push([...op.rows.seq]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    };
    const commit = new GroupCommit(run, {
      durability: 'group',
      groupCommitMs: 0,
      onFailure: () => undefined,
    });
    add(commit, 1);
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([['1']]);
    // Three turns of writes while the first commit is in flight: three sealed batches...
    for (const seq of [2, 3, 4]) {
      add(commit, seq);
      await nextTurn();
    }
    // ...then a batch that would take one statement past 4096 rows.
    for (let seq = 5; seq <= 4100; seq++) add(commit, seq);
    const flushed = commit.flush();
    release();
    await flushed;
    expect(batches.map((seqs) => [seqs[0], seqs.at(-1), seqs.length])).toEqual([
      ['1', '1', 1],
      ['2', '4', 3],
      ['5', '4100', 4096],
    ]);
  });

  it('with groupCommitMs 0 every turn of writes is its own batch', async () => {
    const { commit, batches } = recorded(0);
    add(commit, 1);
    await nextTurn();
    await nextTurn();
    add(commit, 2);
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([['1'], ['2']]);
  });
});
