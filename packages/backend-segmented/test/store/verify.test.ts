import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore } from '@igniter/core';
import { frameOffsets, patchFile, rewriteInFrame, treeDigest, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

/**
 * A store whose "notes" have a sealed segment (seqs 1-3, segment 1) and a live one (seqs 5-6,
 * segment 3), and whose "tags" have a live segment (seq 4, segment 2). Each fact has its own key.
 */
function seeded(): { store: IgniterStore; facts: Fact[] } {
  const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 3 });
  const store = temp.track(new IgniterStore({ backend, engine: ENGINE }));
  const facts = [
    store.write({ store: 'notes', key: 'n1', value: { text: 'MARKER-SEALED one' } }),
    store.write({ store: 'notes', key: 'n2', value: { text: 'two' } }),
    store.write({ store: 'notes', key: 'n3', value: { text: 'three' } }),
    store.write({ store: 'tags', key: 't1', value: ['a', 'b'] }),
    store.write({ store: 'notes', key: 'n4', value: { text: 'MARKER-LIVE four' } }),
    store.write({ store: 'notes', key: 'n5', value: { text: 'five' } }),
  ];
  return { store, facts };
}

describe(`verify() of a segmented store (${ENGINE} engine)`, () => {
  it('reports a clean store as ok, having checked the facts of every sealed and live segment', async () => {
    const { store } = seeded();
    expect(store.segmentManifest()?.stores.notes?.map((s) => s.sealed)).toEqual([true, false]);
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 6, problems: [], warnings: [] });
  });

  it('finds a value changed under an intact frame CRC in the live segment: a hash problem with file, offset and fact id', async () => {
    const { store, facts } = seeded();
    await store.flush();
    const file = segmentFile(temp.dir(), 'notes', 3);
    const offset = rewriteInFrame(file, 'MARKER-LIVE', 'MARKER-LIFE');
    const changed = facts[4] as Fact;
    const result = await store.verify();
    expect(result.factsChecked).toBe(6);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: 'hash', file, offset, factId: changed.id });
  });

  it('finds the same change in a sealed segment, which also no longer matches its manifest', async () => {
    const { store, facts } = seeded();
    const file = segmentFile(temp.dir(), 'notes', 1);
    const offset = rewriteInFrame(file, 'MARKER-SEALED', 'MARKER-SEALER');
    const result = await store.verify();
    expect(result.factsChecked).toBe(6);
    expect(result.problems.map((p) => [p.kind, p.file, p.offset, p.factId])).toEqual([
      ['hash', file, offset, facts[0]?.id],
      ['frame', file, undefined, undefined],
    ]);
    expect(result.problems[1]?.message).toMatch(
      /^.+: the sealed segment is \d+ bytes with CRC-32 \d+, its manifest says/,
    );
  });

  it('finds a damaged frame: file and offset, and the frames after it are still checked', async () => {
    const { store } = seeded();
    await store.flush();
    const file = segmentFile(temp.dir(), 'notes', 3);
    const [, first, second] = frameOffsets(file).starts as [number, number, number];
    const byte = readFileSync(file).readUInt8(first + 9);
    patchFile(file, first + 9, Buffer.of(byte ^ 0x20));
    expect(await store.verify()).toEqual({
      ok: false,
      factsChecked: 5,
      problems: [
        {
          kind: 'frame',
          file,
          offset: first,
          message: `${file}: the frame at byte ${first} fails its CRC-32 check; the next intact frame is at byte ${second}`,
        },
      ],
      warnings: [],
    });
  });

  it('reports quarantine files and segment files that belong to no current segment', async () => {
    const { store } = seeded();
    const quarantine = `${segmentFile(temp.dir(), 'tags', 2)}.quarantine-1`;
    const leftover = segmentFile(temp.dir(), 'tags', 99);
    writeFileSync(quarantine, 'moved aside');
    writeFileSync(leftover, 'old generation');
    const result = await store.verify();
    expect(result.factsChecked).toBe(6);
    expect(result.problems).toEqual([
      {
        kind: 'frame',
        file: quarantine,
        message: `${quarantine}: bytes that a repair moved out of a segment; they are not part of the store and prunes do not erase them: inspect, then delete the file`,
      },
      {
        kind: 'frame',
        file: leftover,
        message: `${leftover}: a segment file of a replaced generation or an interrupted purge is still on disk; the next open removes it`,
      },
    ]);
  });

  it('never modifies a byte of the store directory, clean or damaged', async () => {
    const { store } = seeded();
    await store.flush();
    const clean = treeDigest(temp.dir());
    expect((await store.verify()).ok).toBe(true);
    expect(treeDigest(temp.dir())).toBe(clean);
    const sealed = segmentFile(temp.dir(), 'notes', 1);
    patchFile(sealed, (frameOffsets(sealed).starts[2] as number) + 9, Buffer.from('~'));
    const live = segmentFile(temp.dir(), 'notes', 3);
    patchFile(live, readFileSync(live).length, Buffer.of(0, 0, 0, 40, 1));
    const damaged = treeDigest(temp.dir());
    expect((await store.verify()).ok).toBe(false);
    expect(treeDigest(temp.dir())).toBe(damaged);
  });

  it('reports a sealed segment deleted with its manifest, a live one and a whole store folder as problems', async () => {
    const { store } = seeded();
    await store.flush();
    const sealed = segmentFile(temp.dir(), 'notes', 1);
    const live = segmentFile(temp.dir(), 'notes', 3);
    const sealedBytes = statSync(sealed).size;
    const liveBytes = statSync(live).size;
    rmSync(sealed);
    rmSync(segmentFile(temp.dir(), 'notes', 1, 'manifest'));
    rmSync(live);
    const tags = join(temp.dir(), 'stores', 'tags');
    const tagBytes = statSync(segmentFile(temp.dir(), 'tags', 2)).size;
    rmSync(tags, { recursive: true });
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.factsChecked).toBe(0);
    expect(result.problems).toEqual([
      {
        kind: 'seq',
        file: sealed,
        message: `the sealed segment ${sealed} that the catalog lists (${sealedBytes} bytes) is missing`,
      },
      {
        kind: 'seq',
        file: live,
        message: `the live segment ${live} that the catalog lists (${liveBytes} bytes) is missing`,
      },
      {
        kind: 'seq',
        file: tags,
        message: `the folder ${tags} of store "tags", which the catalog lists with 1 segment(s) of ${tagBytes} bytes, is missing`,
      },
      {
        kind: 'frame',
        file: join(temp.dir(), 'stores', 'notes', 'segment-0000000001.manifest'),
        message: `${join(temp.dir(), 'stores', 'notes', 'segment-0000000001.manifest')}: the manifest file is missing`,
      },
    ]);
  });
});
