import { copyFileSync, existsSync } from 'node:fs';
import { filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT_T0,
  factOf,
  PURGE_NOW,
  purgeBackends,
  receiptOnDisk,
  segmentFile,
} from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const NOW = PURGE_NOW;
const seqs = (facts: Iterable<{ seq: number }>): number[] => [...facts].map((f) => f.seq);
const { open, threeSegments } = purgeBackends(temp);

describe('purge', () => {
  it('removes the sealed segments whose newest fact is older than before, and returns their receipts', () => {
    const backend = threeSegments();
    const receipts = backend.purge({ before: CONTRACT_T0 + 3, reason: 'retention: 90 days' });
    expect(receipts).toEqual([
      { store: 'tasks', segment: 1, factCount: 2, reason: 'retention: 90 days', purgedAt: NOW },
    ]);
    expect(seqs(backend.replay())).toEqual([3, 4, 5]);
    expect(filesUnder(temp.dir())).toEqual([
      'catalog',
      'catalog.lock',
      'stores/tasks/segment-0000000001.purged',
      'stores/tasks/segment-0000000002.log',
      'stores/tasks/segment-0000000002.manifest',
      'stores/tasks/segment-0000000003.log',
    ]);
  });

  it('keeps a segment whose newest fact is exactly at before, and never purges the live segment', () => {
    const backend = threeSegments();
    expect(backend.purge({ before: CONTRACT_T0 + 1 })).toEqual([]);
    const receipts = backend.purge({ before: CONTRACT_T0 + 1000 });
    expect(receipts.map((r) => r.segment)).toEqual([1, 2]);
    expect(seqs(backend.replay())).toEqual([5]);
    expect(backend.segmentManifest().stores.tasks?.map((s) => [s.segment, s.sealed])).toEqual([[3, false]]);
  });

  it('purges one store when store is given, every store otherwise', () => {
    const backend = open({ maxSegmentFacts: 1 });
    for (const [i, store] of ['a', 'b', 'a', 'b'].entries()) backend.writeFact(factOf(i + 1, store));
    expect(backend.purge({ store: 'b', before: CONTRACT_T0 + 10 }).map((r) => [r.store, r.segment])).toEqual([
      ['b', 2],
    ]);
    expect(backend.purge({ store: 'nope', before: CONTRACT_T0 + 10 })).toEqual([]);
    expect(backend.purge({ before: CONTRACT_T0 + 10 }).map((r) => [r.store, r.segment])).toEqual([['a', 1]]);
    expect(seqs(backend.replay())).toEqual([3, 4]);
  });

  it('writes durable receipts: they survive reopen, listed oldest first, and purged facts stay gone', async () => {
    let now = NOW;
    const backend = open({ clock: () => now });
    for (let seq = 1; seq <= 5; seq++) backend.writeFact(factOf(seq));
    backend.purge({ before: CONTRACT_T0 + 2, reason: 'first' });
    now += 1000;
    backend.purge({ before: CONTRACT_T0 + 4, reason: 'second' });
    await backend.close();
    const again = open();
    expect(again.purgeReceipts()).toEqual([
      { store: 'tasks', segment: 1, factCount: 2, reason: 'first', purgedAt: NOW },
      { store: 'tasks', segment: 2, factCount: 2, reason: 'second', purgedAt: NOW + 1000 },
    ]);
    expect(receiptOnDisk(temp.dir(), 'tasks', 2)).toEqual({
      store: 'tasks',
      segment: 2,
      factCount: 2,
      byteSize: expect.any(Number),
      minSeq: 3,
      maxSeq: 4,
      minTime: CONTRACT_T0 + 2,
      maxTime: CONTRACT_T0 + 3,
      checksum: expect.any(Number),
      reason: 'second',
      purgedAt: NOW + 1000,
    });
    expect(seqs(again.replay())).toEqual([5]);
  });

  it('gives a default reason naming the cutoff', () => {
    const backend = threeSegments();
    expect(backend.purge({ before: new Date(CONTRACT_T0 + 3) })[0]?.reason).toBe(
      `segment purge: every fact older than ${new Date(CONTRACT_T0 + 3).toISOString()}`,
    );
  });

  it('keeps the high-water seq when the segment holding it is purged', async () => {
    const backend = open();
    const facts = [factOf(1, 'b'), factOf(2, 'a'), factOf(3, 'a')];
    for (const fact of facts) backend.writeFact(fact);
    backend.writeSnapshot(facts, { lastSeq: 3 });
    expect(backend.purge({ store: 'a', before: CONTRACT_T0 + 100 }).map((r) => r.segment)).toEqual([2]);
    await backend.close();
    const again = open();
    expect(seqs(again.replay())).toEqual([1]);
    expect(again.highWaterSeq()).toBe(3);
    again.writeFact(factOf(4, 'a'));
    expect(again.segmentManifest().stores.a?.map((s) => s.segment)).toEqual([3]);
  });

  it('is final: a later snapshot that still holds purged facts does not bring them back', async () => {
    const backend = threeSegments();
    const all = [1, 2, 3, 4, 5].map((seq) => factOf(seq));
    backend.purge({ before: CONTRACT_T0 + 2 });
    backend.replaceWithSnapshot([...all, factOf(6)], { lastSeq: 6 });
    expect(seqs(backend.replay())).toEqual([3, 4, 5, 6]);
    backend.writeSnapshot(all, { lastSeq: 6 });
    await backend.close();
    expect(seqs(open().replay())).toEqual([3, 4, 5]);
  });

  it('is finished by the next open when a crash came between the receipt and the removal', async () => {
    const backend = threeSegments();
    await backend.close();
    for (const kind of ['log', 'manifest'] as const) {
      copyFileSync(
        segmentFile(temp.dir(), 'tasks', 1, kind),
        `${segmentFile(temp.dir(), 'tasks', 1, kind)}.saved`,
      );
    }
    const purging = open();
    purging.purge({ before: CONTRACT_T0 + 2 });
    await purging.close();
    for (const kind of ['log', 'manifest'] as const) {
      copyFileSync(
        `${segmentFile(temp.dir(), 'tasks', 1, kind)}.saved`,
        segmentFile(temp.dir(), 'tasks', 1, kind),
      );
    }
    const again = open();
    expect(seqs(again.replay())).toEqual([3, 4, 5]);
    expect(again.recoveryReport().removedFiles).toEqual([
      segmentFile(temp.dir(), 'tasks', 1, 'log'),
      segmentFile(temp.dir(), 'tasks', 1, 'manifest'),
    ]);
    expect(existsSync(segmentFile(temp.dir(), 'tasks', 1, 'log'))).toBe(false);
    expect(again.purgeReceipts()).toHaveLength(1);
  });

  it('rejects bad arguments and works only while open', async () => {
    const backend = threeSegments();
    expect(thrown(() => backend.purge({ before: Number.NaN })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.purge(undefined as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.purge({ before: 0, store: 5 as never })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.purge({ before: 0, reason: {} as never })).code).toBe('ERR_INVALID_ARGUMENT');
    await backend.close();
    expect(thrown(() => backend.purge({ before: 0 })).code).toBe('ERR_CLOSED');
  });
});
