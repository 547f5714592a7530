import { readFileSync } from 'node:fs';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { CONTRACT_T0, factOf, flipByte, headBytes, segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const seqs = (facts: Iterable<{ seq: number }>): number[] => [...facts].map((f) => f.seq);

describe('replay', () => {
  it('filters facts inside a segment exactly, with inclusive bounds', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    for (let seq = 1; seq <= 10; seq++) backend.writeFact(factOf(seq));
    expect(backend.segmentManifest().stores.tasks).toHaveLength(1);
    expect(seqs(backend.replay({ since: CONTRACT_T0 + 3, asOf: CONTRACT_T0 + 5 }))).toEqual([4, 5, 6]);
    expect(seqs(backend.replay({ since: CONTRACT_T0 + 9 }))).toEqual([10]);
    expect(seqs(backend.replay({ asOf: CONTRACT_T0 }))).toEqual([1]);
    expect(seqs(backend.replay({ since: CONTRACT_T0 + 10 }))).toEqual([]);
  });

  it('merges the stores in global seq order, also across rotated segments and a reopen', async () => {
    const order = ['a', 'b', 'c', 'a', 'a', 'c', 'b', 'a', 'c', 'c', 'b', 'a'];
    const facts = order.map((store, i) => factOf(i + 1, store));
    const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2 });
    for (const fact of facts) backend.writeFact(fact);
    expect(seqs(backend.replay())).toEqual(facts.map((f) => f.seq));
    await backend.close();
    const again = temp.track(new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2 }));
    expect([...again.replay()]).toEqual(facts);
    expect(seqs(again.replay({ since: CONTRACT_T0 + 4, asOf: CONTRACT_T0 + 8 }))).toEqual([5, 6, 7, 8, 9]);
  });

  it('does not read sealed segments whose manifest puts them outside the window', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2 }));
    for (let seq = 1; seq <= 6; seq++) backend.writeFact(factOf(seq));
    const first = segmentFile(temp.dir(), 'tasks', 1);
    const third = segmentFile(temp.dir(), 'tasks', 3);
    // Damage the first fact of segment 1 and segment 3 (live): a read of either would throw.
    flipByte(first, headBytes('tasks', 1) + 10);
    expect(seqs(backend.replay({ since: CONTRACT_T0 + 2, asOf: CONTRACT_T0 + 3 }))).toEqual([3, 4]);
    const error = thrown(() => backend.replay({ asOf: CONTRACT_T0 + 3 }));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: first, offset: headBytes('tasks', 1), reason: 'bad-crc' });
    expect(error.message).toContain(`${first}: damaged frame at byte ${headBytes('tasks', 1)}`);
    expect(readFileSync(third).length).toBeGreaterThan(0);
  });

  it('sees facts still buffered by group commit', () => {
    const backend = temp.track(
      new SegmentedFileBackend(temp.dir(), { durability: 'group', groupCommitMs: 60_000 }),
    );
    backend.writeFact(factOf(1));
    backend.writeFact(factOf(2));
    expect(seqs(backend.replay())).toEqual([1, 2]);
  });

  it('rejects a bound that is not a time', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    expect(thrown(() => backend.replay({ since: Number.NaN })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.replay({ asOf: new Date(Number.NaN) })).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
