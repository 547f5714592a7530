import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentInfo } from '@igniter/core';
import { crc32 } from '@igniter/core/storage';
import { filesUnder, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend, type SegmentedFileBackendOptions } from '../../src/index.js';
import {
  CONTRACT_T0,
  factOf,
  frameBytes,
  headBytes,
  manifestOnDisk,
  segmentFile,
} from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const SEALED_AT = 1_800_000_000_000;

function open(options: SegmentedFileBackendOptions = {}): SegmentedFileBackend {
  return temp.track(new SegmentedFileBackend(temp.dir(), { clock: () => SEALED_AT, ...options }));
}

function segments(
  backend: SegmentedFileBackend,
  store = 'tasks',
): Array<Pick<SegmentInfo, 'segment' | 'sealed' | 'minSeq' | 'maxSeq' | 'factCount'>> {
  return (backend.segmentManifest().stores[store] ?? []).map(
    ({ segment, sealed, minSeq, maxSeq, factCount }) => ({
      segment,
      sealed,
      minSeq,
      maxSeq,
      factCount,
    }),
  );
}

const seg = (segment: number, sealed: boolean, minSeq: number, maxSeq: number) => ({
  segment,
  sealed,
  minSeq,
  maxSeq,
  factCount: maxSeq - minSeq + 1,
});

describe('segment rotation', () => {
  it('seals a segment before a fact would make it larger than maxSegmentBytes', () => {
    const limit = headBytes('tasks', 1) + frameBytes(factOf(1)) + frameBytes(factOf(2));
    const backend = open({ maxSegmentBytes: limit });
    for (const seq of [1, 2, 3]) backend.writeFact(factOf(seq));
    expect(segments(backend)).toEqual([seg(1, true, 1, 2), seg(2, false, 3, 3)]);
    expect(statSync(segmentFile(temp.dir(), 'tasks', 1)).size).toBe(limit);
  });

  it('gives a fact larger than maxSegmentBytes a segment of its own', () => {
    const backend = open({ maxSegmentBytes: 1 });
    for (const seq of [1, 2, 3]) backend.writeFact(factOf(seq));
    expect(segments(backend)).toEqual([seg(1, true, 1, 1), seg(2, true, 2, 2), seg(3, false, 3, 3)]);
  });

  it('seals a segment once it holds maxSegmentFacts facts', () => {
    const backend = open({ maxSegmentFacts: 2 });
    for (const seq of [1, 2, 3, 4, 5]) backend.writeFact(factOf(seq));
    expect(segments(backend)).toEqual([seg(1, true, 1, 2), seg(2, true, 3, 4), seg(3, false, 5, 5)]);
  });

  it("starts a segment when a fact's own transaction time falls in the next time bucket", () => {
    const backend = open({ segmentDurationMs: 1000 });
    const times = [
      CONTRACT_T0,
      CONTRACT_T0 + 999,
      CONTRACT_T0 + 1000,
      CONTRACT_T0 + 5500,
      CONTRACT_T0 + 5999,
    ];
    for (const [i, time] of times.entries()) backend.writeFact(factOf(i + 1, 'tasks', time));
    expect(CONTRACT_T0 % 1000).toBe(0);
    expect(segments(backend)).toEqual([seg(1, true, 1, 2), seg(2, true, 3, 3), seg(3, false, 4, 5)]);
  });

  it('buckets by UTC day by default and not at all with segmentDurationMs null', () => {
    const day = 86_400_000;
    const midnight = Math.ceil(CONTRACT_T0 / day) * day;
    const byDay = open();
    byDay.writeFact(factOf(1, 'tasks', midnight - 1));
    byDay.writeFact(factOf(2, 'tasks', midnight));
    expect(segments(byDay)).toEqual([seg(1, true, 1, 1), seg(2, false, 2, 2)]);
    const flat = temp.track(new SegmentedFileBackend(join(temp.dir(), 'flat'), { segmentDurationMs: null }));
    flat.writeFact(factOf(1, 'flat', midnight - 1));
    flat.writeFact(factOf(2, 'flat', midnight + 100 * day));
    expect(segments(flat, 'flat')).toEqual([seg(1, false, 1, 2)]);
  });

  it('rotates each store on its own, numbering segments from one counter', () => {
    const backend = open({ maxSegmentFacts: 2 });
    for (const [i, store] of ['a', 'b', 'a', 'a', 'b', 'b', 'b'].entries())
      backend.writeFact(factOf(i + 1, store));
    expect(segments(backend, 'a')).toEqual([
      { segment: 1, sealed: true, minSeq: 1, maxSeq: 3, factCount: 2 },
      seg(3, false, 4, 4),
    ]);
    expect(segments(backend, 'b')).toEqual([
      { segment: 2, sealed: true, minSeq: 2, maxSeq: 5, factCount: 2 },
      seg(4, false, 6, 7),
    ]);
  });
});

describe('manifests', () => {
  it('records store, segment, generation, codec, counts, seq and time bounds, size and the CRC-32 of the file', () => {
    const backend = open({ maxSegmentFacts: 3 });
    for (const seq of [1, 2, 3, 4]) backend.writeFact(factOf(seq));
    const path = segmentFile(temp.dir(), 'tasks', 1);
    expect(manifestOnDisk(temp.dir(), 'tasks', 1)).toEqual({
      store: 'tasks',
      segment: 1,
      generation: 0,
      codec: 'json-v1',
      factCount: 3,
      byteSize: statSync(path).size,
      minSeq: 1,
      maxSeq: 3,
      minTime: CONTRACT_T0,
      maxTime: CONTRACT_T0 + 2,
      checksum: crc32(readFileSync(path)),
      sealedAt: SEALED_AT,
    });
    expect(existsSync(segmentFile(temp.dir(), 'tasks', 2, 'manifest'))).toBe(false);
  });

  it('lists sealed and live segments with the same codec name', () => {
    const backend = open({ maxSegmentFacts: 1 });
    backend.writeFact(factOf(1));
    backend.writeFact(factOf(2));
    const [sealed, live] = backend.segmentManifest().stores.tasks ?? [];
    expect(sealed).toEqual({
      segment: 1,
      sealed: true,
      minSeq: 1,
      maxSeq: 1,
      minTime: CONTRACT_T0,
      maxTime: CONTRACT_T0,
      factCount: 1,
      byteSize: headBytes('tasks', 1) + frameBytes(factOf(1)),
      codec: 'json-v1',
    });
    expect(live).toEqual({
      segment: 2,
      sealed: false,
      minSeq: 2,
      maxSeq: 2,
      minTime: CONTRACT_T0 + 1,
      maxTime: CONTRACT_T0 + 1,
      factCount: 1,
      byteSize: headBytes('tasks', 2) + frameBytes(factOf(2)),
      codec: 'json-v1',
    });
  });

  it('writeSnapshot (a checkpoint) seals the live segment of every store', () => {
    const backend = open();
    const facts = [factOf(1, 'a'), factOf(2, 'b')];
    for (const fact of facts) backend.writeFact(fact);
    backend.writeSnapshot(facts, { lastSeq: 2 });
    expect(segments(backend, 'a')).toEqual([seg(1, true, 1, 1)]);
    expect(segments(backend, 'b')).toEqual([seg(2, true, 2, 2)]);
    backend.writeFact(factOf(3, 'a'));
    expect(segments(backend, 'a')).toEqual([seg(1, true, 1, 1), seg(3, false, 3, 3)]);
  });
});

describe('the live segment across reopen', () => {
  it('is resumed after close, not sealed: later writes go on in the same file', async () => {
    const backend = open();
    backend.writeFact(factOf(1));
    backend.writeFact(factOf(2));
    await backend.close();
    const again = open();
    expect(segments(again)).toEqual([seg(1, false, 1, 2)]);
    again.writeFact(factOf(3));
    expect(segments(again)).toEqual([seg(1, false, 1, 3)]);
    await again.close();
    expect(filesUnder(temp.dir())).toEqual(['catalog', 'stores/tasks/segment-0000000001.log']);
    expect([...open().replay()].map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('is resumed after a crash (no close), with the facts written before it', () => {
    const backend = new SegmentedFileBackend(temp.dir(), { durability: 'none' });
    backend.writeFact(factOf(1));
    backend.writeFact(factOf(2));
    // A crash: the lock holder is gone without close (its lock file is stale once released).
    (backend as unknown as { lock: { release(): void } }).lock.release();
    const again = open();
    again.writeFact(factOf(3));
    expect(segments(again)).toEqual([seg(1, false, 1, 3)]);
    expect([...again.replay()].map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('keeps its rotation limits after reopen', async () => {
    const backend = open({ maxSegmentFacts: 2 });
    backend.writeFact(factOf(1));
    await backend.close();
    const again = open({ maxSegmentFacts: 2 });
    again.writeFact(factOf(2));
    again.writeFact(factOf(3));
    expect(segments(again)).toEqual([seg(1, true, 1, 2), seg(2, false, 3, 3)]);
  });
});

describe('segment numbers', () => {
  it('are never reused: not after reopen, nor after every segment was replaced or purged', async () => {
    const backend = open({ maxSegmentFacts: 1 });
    for (const seq of [1, 2, 3]) backend.writeFact(factOf(seq));
    backend.writeSnapshot([factOf(1), factOf(2), factOf(3)], { lastSeq: 3 });
    expect(backend.purge({ before: CONTRACT_T0 + 10 }).map((r) => r.segment)).toEqual([1, 2, 3]);
    await backend.close();
    const again = open({ maxSegmentFacts: 1 });
    again.writeFact(factOf(4));
    expect(segments(again)).toEqual([seg(4, false, 4, 4)]);
    again.replaceWithSnapshot([], { lastSeq: 4 });
    await again.close();
    const third = open({ maxSegmentFacts: 1 });
    third.writeFact(factOf(5));
    expect(segments(third)).toEqual([seg(5, false, 5, 5)]);
    expect(filesUnder(join(temp.dir(), 'stores'))).toEqual([
      'tasks/segment-0000000001.purged',
      'tasks/segment-0000000002.purged',
      'tasks/segment-0000000003.purged',
      'tasks/segment-0000000005.log',
    ]);
  });
});
