import { statSync } from 'node:fs';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { CONTRACT_T0, factOf, frameBytes, headBytes, segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');

/** Store "a": sealed segment 1 (seq 1, 3), live segment 3 (seq 4); store "b": live segment 2 (seq 2). */
function twoStores(): SegmentedFileBackend {
  const backend = temp.track(new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2 }));
  for (const [i, store] of ['a', 'b', 'a', 'a'].entries()) backend.writeFact(factOf(i + 1, store));
  return backend;
}

describe('storage statistics', () => {
  it("report backend 'segmented', the bytes of every segment file and the live facts, in total and per store", async () => {
    const backend = twoStores();
    await backend.flush();
    const size = (store: string, segment: number): number =>
      statSync(segmentFile(temp.dir(), store, segment)).size;
    const a = size('a', 1) + size('a', 3);
    const b = size('b', 2);
    expect(b).toBe(headBytes('b', 2) + frameBytes(factOf(2, 'b')));
    expect(backend.storageStats()).toEqual({
      backend: 'segmented',
      byteSize: a + b,
      factCount: 4,
      recoveredTailBytes: 0,
      recovered: [],
      stores: { a: { factCount: 3, byteSize: a }, b: { factCount: 1, byteSize: b } },
    });
    expect(backend.storageStats({ store: 'b' })).toEqual({
      backend: 'segmented',
      byteSize: a + b,
      factCount: 4,
      recoveredTailBytes: 0,
      recovered: [],
      stores: { b: { factCount: 1, byteSize: b } },
    });
    expect(backend.storageStats({ store: 'nope' }).stores).toEqual({});
    expect(thrown(() => backend.storageStats({ store: 1 as never })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('count buffered writes before they reach the file', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir(), { groupCommitMs: 60_000 }));
    backend.writeFact(factOf(1));
    expect(backend.storageStats().byteSize).toBe(headBytes('tasks', 1) + frameBytes(factOf(1)));
  });

  it('list a store named __proto__ as an ordinary key', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    backend.writeFact(factOf(1, '__proto__'));
    const stores = backend.storageStats().stores;
    expect(Object.keys(stores)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(stores)).toBe(Object.prototype);
    expect(Object.keys(backend.segmentManifest().stores)).toEqual(['__proto__']);
  });
});

describe('the segment manifest', () => {
  it('lists every store, segments by number, the live one last', () => {
    const backend = twoStores();
    const entry = (segment: number, sealed: boolean, seqs: number[], store: string) => ({
      segment,
      sealed,
      minSeq: seqs[0],
      maxSeq: seqs[seqs.length - 1],
      minTime: CONTRACT_T0 + (seqs[0] as number) - 1,
      maxTime: CONTRACT_T0 + (seqs[seqs.length - 1] as number) - 1,
      factCount: seqs.length,
      byteSize: headBytes(store, segment) + seqs.reduce((n, seq) => n + frameBytes(factOf(seq, store)), 0),
      codec: 'json-v1',
    });
    expect(backend.segmentManifest()).toEqual({
      stores: {
        a: [entry(1, true, [1, 3], 'a'), entry(3, false, [4], 'a')],
        b: [entry(2, false, [2], 'b')],
      },
    });
    expect(backend.segmentManifest({ store: 'b' })).toEqual({ stores: { b: [entry(2, false, [2], 'b')] } });
    expect(backend.segmentManifest({ store: 'nope' })).toEqual({ stores: {} });
  });

  it('shows sealed segments as sealed after reopen, and keeps working after close', async () => {
    const backend = twoStores();
    await backend.close();
    const again = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2 });
    const manifest = again.segmentManifest();
    await again.close();
    expect(manifest.stores.a?.map((s) => [s.segment, s.sealed])).toEqual([
      [1, true],
      [3, false],
    ]);
    expect(again.segmentManifest()).toEqual(manifest);
  });
});
