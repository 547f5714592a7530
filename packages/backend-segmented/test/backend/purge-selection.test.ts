import { existsSync } from 'node:fs';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { CONTRACT_T0, factOf, PURGE_NOW, purgeBackends, segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const NOW = PURGE_NOW;
const seqs = (facts: Iterable<{ seq: number }>): number[] => [...facts].map((f) => f.seq);
const { open, threeSegments } = purgeBackends(temp);

describe('purge by segment number', () => {
  it('removes exactly the listed sealed segments of the store', () => {
    const backend = threeSegments();
    const receipts = backend.purge({ store: 'tasks', segments: [2], reason: 'retention ephemeral' });
    expect(receipts).toEqual([
      { store: 'tasks', segment: 2, factCount: 2, reason: 'retention ephemeral', purgedAt: NOW },
    ]);
    expect(seqs(backend.replay())).toEqual([1, 2, 5]);
    expect(existsSync(segmentFile(temp.dir(), 'tasks', 2, 'log'))).toBe(false);
  });

  it('names the segments in its default reason', () => {
    const backend = threeSegments();
    expect(backend.purge({ store: 'tasks', segments: [1, 2] }).map((r) => r.reason)).toEqual([
      'segment purge: segments 1, 2',
      'segment purge: segments 1, 2',
    ]);
  });

  it('refuses the live segment and purges nothing', () => {
    const backend = threeSegments();
    const error = thrown(() => backend.purge({ store: 'tasks', segments: [1, 3] }));
    expect([error.code, error.message]).toEqual([
      'ERR_INVALID_ARGUMENT',
      'segment 3 is not a sealed segment of store "tasks"',
    ]);
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5]);
    expect(backend.purgeReceipts()).toEqual([]);
  });

  it('needs the store the segments belong to', () => {
    const backend = threeSegments();
    expect(thrown(() => backend.purge({ segments: [1] })).message).toBe(
      'purge with `segments` needs `store`',
    );
  });

  it('refuses a purge without before or segments, and one with both', () => {
    const backend = threeSegments();
    for (const opts of [{}, { store: 'tasks' }, { before: CONTRACT_T0 + 9, segments: [1], store: 'tasks' }]) {
      const error = thrown(() => backend.purge(opts));
      expect([error.code, error.message]).toEqual([
        'ERR_INVALID_ARGUMENT',
        'purge needs either `before` (a time) or `segments` (sealed segment numbers of `store`)',
      ]);
    }
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses an unknown field, naming it', () => {
    const backend = threeSegments();
    const error = thrown(() => backend.purge({ before: CONTRACT_T0 + 9, strategy: 'ephemeral' } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'strategy' }]);
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('purgeReceipts filters', () => {
  /** Three purges at NOW, NOW + 10 and NOW + 20: segments a/1, b/2, a/3 (one fact per segment). */
  function purgedThrice(): SegmentedFileBackend {
    let now = NOW;
    const backend = open({ maxSegmentFacts: 1, clock: () => now });
    for (const [i, store] of ['a', 'b', 'a', 'b', 'a'].entries()) backend.writeFact(factOf(i + 1, store));
    for (const [store, segment] of [
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ] as const) {
      backend.purge({ store, segments: [segment] });
      now += 10;
    }
    return backend;
  }
  const ids = (receipts: Array<{ store: string; segment: number }>) =>
    receipts.map((r) => `${r.store}/${r.segment}`);

  it('lists every receipt oldest first without filters', () => {
    expect(ids(purgedThrice().purgeReceipts())).toEqual(['a/1', 'b/2', 'a/3']);
  });

  it('keeps the receipts purged at or after since', () => {
    expect(ids(purgedThrice().purgeReceipts({ since: NOW + 10 }))).toEqual(['b/2', 'a/3']);
  });

  it('lists nothing for a since after every purge', () => {
    expect(purgedThrice().purgeReceipts({ since: NOW + 9999 })).toEqual([]);
  });

  it('keeps the oldest limit receipts', () => {
    expect(ids(purgedThrice().purgeReceipts({ limit: 2 }))).toEqual(['a/1', 'b/2']);
  });

  it('keeps the receipts of one store', () => {
    expect(ids(purgedThrice().purgeReceipts({ store: 'a', since: new Date(NOW + 1) }))).toEqual(['a/3']);
  });

  it('refuses a limit below 1, a fractional since and an unknown field', () => {
    const backend = purgedThrice();
    expect(thrown(() => backend.purgeReceipts({ limit: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.purgeReceipts({ since: 1.5 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.purgeReceipts({ until: NOW } as never)).details).toEqual({ field: 'until' });
  });
});

describe('strict backend options', () => {
  it.each(['retention', 'flush'])('refuses the Ruby option %s and creates no file', (field) => {
    const dir = `${temp.dir()}/never`;
    const error = thrown(() => new SegmentedFileBackend(dir, { [field]: {} } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field }]);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses an unknown replay option', () => {
    const backend = threeSegments();
    expect(thrown(() => backend.replay({ from: 0 } as never)).details).toEqual({ field: 'from' });
  });

  it('refuses an unknown field of a store filter', () => {
    const backend = threeSegments();
    expect(thrown(() => backend.storageStats({ name: 'tasks' } as never)).details).toEqual({ field: 'name' });
    expect(thrown(() => backend.segmentManifest({ name: 'tasks' } as never)).details).toEqual({
      field: 'name',
    });
  });
});
