import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { contractFact, filesContaining, filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { factOf } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const seqs = (list: Iterable<{ seq: number }>): number[] => [...list].map((f) => f.seq);

/** Fact `seq` of `store` whose value carries a marker that is easy to find in raw bytes. */
function marked(seq: number, store: string): Fact {
  return contractFact(seq, { store, value: { marker: `MARK-${seq}-END` } });
}

// "keep": facts 1, 3 (sealed) and 5 (live); "drop": facts 2, 4 (sealed) and 6 (live).
const keepFacts = [1, 3, 5].map((seq) => marked(seq, 'keep'));
const dropFacts = [2, 4, 6].map((seq) => marked(seq, 'drop'));
const all = [...keepFacts, ...dropFacts].sort((a, b) => a.seq - b.seq);
const survivors = all.filter((f) => f.seq !== 2 && f.seq !== 6);

function open(dir = temp.dir()): SegmentedFileBackend {
  return new SegmentedFileBackend(dir, { maxSegmentFacts: 2 });
}

function writeAll(): SegmentedFileBackend {
  const backend = open();
  for (const fact of all) backend.writeFact(fact);
  return backend;
}

describe('replaceWithSnapshot (compaction and prune)', () => {
  it('leaves stores whose facts do not change exactly as they are', () => {
    const backend = temp.track(writeAll());
    const before = backend.segmentManifest().stores.keep;
    const bytes = readFileSync(join(temp.dir(), 'stores/keep/segment-0000000001.log'));
    backend.replaceWithSnapshot(survivors, { lastSeq: 6 });
    expect(backend.segmentManifest().stores.keep).toEqual(before);
    expect(readFileSync(join(temp.dir(), 'stores/keep/segment-0000000001.log')).equals(bytes)).toBe(true);
  });

  it('rewrites a changed store as a new generation of sealed segments holding exactly its survivors', async () => {
    const backend = writeAll();
    backend.replaceWithSnapshot(survivors, { lastSeq: 6 });
    expect(
      backend.segmentManifest().stores.drop?.map((s) => [s.segment, s.sealed, s.minSeq, s.maxSeq]),
    ).toEqual([[5, true, 4, 4]]);
    expect(seqs(backend.replay())).toEqual([1, 3, 4, 5]);
    backend.writeFact(marked(7, 'drop'));
    await backend.close();
    const again = temp.track(open());
    expect([...again.replay()]).toEqual([...survivors, marked(7, 'drop')]);
    expect(filesUnder(join(temp.dir(), 'stores/drop'))).toEqual([
      'segment-0000000005.log',
      'segment-0000000005.manifest',
      'segment-0000000006.log',
    ]);
  });

  it('once it returns, the dropped facts are in no file of the directory, the live segment included', async () => {
    const backend = temp.track(writeAll());
    await backend.flush();
    expect(filesContaining(temp.dir(), 'MARK-6-END')).toEqual(['stores/drop/segment-0000000004.log']);
    backend.replaceWithSnapshot(survivors, { lastSeq: 6 });
    expect(filesContaining(temp.dir(), 'MARK-2-END')).toEqual([]);
    expect(filesContaining(temp.dir(), 'MARK-6-END')).toEqual([]);
    expect(filesContaining(temp.dir(), 'MARK-4-END')).toEqual(['stores/drop/segment-0000000005.log']);
  });

  it('after a crash before the catalog switched, reopens to the old state and removes the new generation', async () => {
    const backend = writeAll();
    await backend.close();
    const saved = join(temp.dir(), '..', `${temp.dir().split('/').pop()}-saved`);
    cpSync(temp.dir(), saved, { recursive: true });
    const replacing = open();
    replacing.replaceWithSnapshot(survivors, { lastSeq: 6 });
    await replacing.close();
    // Put back the old catalog and old segments next to the new generation's files.
    cpSync(saved, temp.dir(), { recursive: true });
    rmSync(saved, { recursive: true, force: true });
    const again = temp.track(open());
    expect([...again.replay()]).toEqual(all);
    expect([...again.recoveryReport().removedFiles].sort()).toEqual([
      join(temp.dir(), 'stores/drop/segment-0000000005.log'),
      join(temp.dir(), 'stores/drop/segment-0000000005.manifest'),
    ]);
    expect(again.highWaterSeq()).toBe(6);
  });

  it('after a crash once the catalog switched, reopens to the new state and removes the old generation', async () => {
    const backend = writeAll();
    await backend.close();
    const saved = join(temp.dir(), '..', `${temp.dir().split('/').pop()}-saved`);
    cpSync(join(temp.dir(), 'stores'), saved, { recursive: true });
    const replacing = open();
    replacing.replaceWithSnapshot(survivors, { lastSeq: 6 });
    await replacing.close();
    cpSync(saved, join(temp.dir(), 'stores'), { recursive: true });
    rmSync(saved, { recursive: true, force: true });
    expect(filesContaining(temp.dir(), 'MARK-2-END')).toEqual(['stores/drop/segment-0000000002.log']);
    const again = temp.track(open());
    expect([...again.replay()]).toEqual(survivors);
    expect(filesContaining(temp.dir(), 'MARK-2-END')).toEqual([]);
    expect(filesContaining(temp.dir(), 'MARK-6-END')).toEqual([]);
  });

  it('that cannot commit its catalog throws and changes nothing: old facts stay, new files are gone, writes go on', async () => {
    const backend = writeAll();
    const catalog = join(temp.dir(), 'catalog');
    const catalogBytes = readFileSync(catalog);
    rmSync(catalog);
    mkdirSync(join(catalog, 'blocker'), { recursive: true }); // a rename onto a non-empty directory fails
    expect(() => backend.replaceWithSnapshot(survivors, { lastSeq: 6 })).toThrow();
    expect(filesUnder(join(temp.dir(), 'stores/drop'))).toEqual([
      'segment-0000000002.log',
      'segment-0000000002.manifest',
      'segment-0000000004.log',
    ]);
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5, 6]);
    backend.writeFact(marked(7, 'drop'));
    await backend.close();
    rmSync(catalog, { recursive: true });
    writeFileSync(catalog, catalogBytes);
    expect(seqs(temp.track(open()).replay())).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses facts out of order, above lastSeq, or a lastSeq below a seq written, changing nothing', () => {
    const backend = temp.track(writeAll());
    expect(thrown(() => backend.replaceWithSnapshot([factOf(2), factOf(1)], { lastSeq: 6 })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => backend.replaceWithSnapshot([factOf(7)], { lastSeq: 6 })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => backend.replaceWithSnapshot([], { lastSeq: 5 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => backend.replaceWithSnapshot({} as never, { lastSeq: 6 })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect([...backend.replay()]).toEqual(all);
  });

  it('records the new seq floor: facts dropped from the top do not lower the high-water seq', async () => {
    const backend = writeAll();
    backend.replaceWithSnapshot(all.slice(0, 2), { lastSeq: 6 });
    await backend.close();
    const again = temp.track(open());
    expect(seqs(again.replay())).toEqual([1, 2]);
    expect(again.highWaterSeq()).toBe(6);
  });
});
