import { cpSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore, type WriteInput } from '@igniter/core';
import { crc32, HEADER_BYTES, readBatchMarker } from '@igniter/core/storage';
import { useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { storeFolderName } from '../../src/layout.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const temp = useTempDir('igniter-seg-batch-');

const open = (dir: string): IgniterStore =>
  new IgniterStore({ engine: ENGINE, backend: new SegmentedFileBackend(dir, { durability: 'none' }) });

const listed = (store: IgniterStore): string[] =>
  store.factLogAll().map((fact: Fact) => `${fact.seq}:${fact.store}/${fact.key}`);

/** The store's newest segment file (its live one). */
function liveLog(dir: string, store: string): string {
  const folder = join(dir, 'stores', storeFolderName(store));
  const logs = readdirSync(folder)
    .filter((name) => /^segment-\d+\.log$/.test(name))
    .sort();
  return join(folder, logs.at(-1) as string);
}

/** Runs `steps` in a child that then SIGKILLs itself (no clean close). */
async function killedAfter(dir: string, steps: Array<WriteInput | WriteInput[]>): Promise<void> {
  const run = spawnScript('batch-child.mjs', [dir, ENGINE, 'steps', JSON.stringify(steps)]);
  await waitForLine(run.lines, /^written$/, 60_000);
  await run.exited;
}

/** Marker flags of the frames of the segment file `path` (metadata record first). */
function markers(path: string): boolean[] {
  const bytes = readFileSync(path);
  const out: boolean[] = [];
  for (let at = HEADER_BYTES; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    out.push(readBatchMarker(bytes, at + 4, at + 4 + length) !== null);
    at += 8 + length;
  }
  return out;
}

const a2b2a3: WriteInput[] = [
  { store: 'a', key: 'a2', value: 2 },
  { store: 'b', key: 'b2', value: 2 },
  { store: 'a', key: 'a3', value: 3 },
];

describe(`writeMany on a segmented store (${ENGINE} engine) is crash-atomic across segments`, () => {
  beforeAll(assertBuilt);

  it('puts each segment part of a batch behind a part marker (version 2 segment); none for one fact', async () => {
    const dir = temp.dir();
    const store = open(dir);
    store.write({ store: 'a', key: 'a1', value: 1 });
    store.writeMany([{ store: 'a', key: 'one', value: 0 }]);
    store.writeMany(a2b2a3);
    await store.close();
    expect(markers(liveLog(dir, 'a'))).toEqual([false, false, false, true, false, false]);
    expect(markers(liveLog(dir, 'b'))).toEqual([false, true, false]);
    const bytes = readFileSync(liveLog(dir, 'b'));
    expect(bytes.readUInt16BE(8)).toBe(2);
    const meta = HEADER_BYTES + 8 + bytes.readUInt32BE(HEADER_BYTES);
    const marker = readBatchMarker(bytes, meta + 4, meta + 4 + bytes.readUInt32BE(meta));
    expect(marker).toEqual({
      count: 1,
      bytes: bytes.length - meta - 48,
      lastFrameBytes: bytes.length - meta - 48,
      span: { firstSeq: 3, lastSeq: 5, total: 3 },
    });
    const again = open(dir);
    expect(listed(again)).toEqual(['1:a/a1', '2:a/one', '3:a/a2', '4:b/b2', '5:a/a3']);
    expect(again.storageStats()?.recovered).toEqual([]);
    // verify() reads part markers, and sealed segments holding them match their manifests.
    expect(await again.verify()).toEqual({ ok: true, factsChecked: 5, problems: [], warnings: [] });
    again.checkpoint();
    expect(listed(again)).toEqual(['1:a/a1', '2:a/one', '3:a/a2', '4:b/b2', '5:a/a3']);
    expect(await again.verify()).toEqual({ ok: true, factsChecked: 5, problems: [], warnings: [] });
    await again.close();
    const sealed = open(dir);
    expect(listed(sealed)).toEqual(['1:a/a1', '2:a/one', '3:a/a2', '4:b/b2', '5:a/a3']);
    await sealed.close();
  });

  it('cuts a batch from every segment, with every later fact, when one segment lost part of it', async () => {
    const dir = join(temp.dir(), 'seg');
    const first = open(dir);
    first.write({ store: 'a', key: 'a1', value: 1 });
    first.write({ store: 'b', key: 'b1', value: 1 });
    await first.close();
    const before = new Map(['a', 'b'].map((s) => [s, statSync(liveLog(dir, s)).size]));
    await killedAfter(dir, [a2b2a3, { store: 'c', key: 'c1', value: 1 }]);
    const originals = new Map(['a', 'b', 'c'].map((s) => [s, readFileSync(liveLog(dir, s))]));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const whole = join(temp.dir(), 'whole');
      cpSync(dir, whole, { recursive: true });
      const kept = open(whole);
      expect(listed(kept)).toEqual(['1:a/a1', '2:b/b1', '3:a/a2', '4:b/b2', '5:a/a3', '6:c/c1']);
      await kept.close();
      // Power loss kept one segment's tail and lost the other's: any byte of its part.
      for (const torn of ['a', 'b']) {
        const from = before.get(torn) as number;
        const full = (originals.get(torn) as Buffer).length;
        for (let cut = from; cut < full; cut++) {
          const copy = join(temp.dir(), `${torn}-${cut}`);
          cpSync(dir, copy, { recursive: true });
          truncateSync(liveLog(copy, torn), cut);
          const store = open(copy);
          const context = `${torn} cut at ${cut}`;
          expect(listed(store), context).toEqual(['1:a/a1', '2:b/b1']);
          const recovered = store.storageStats()?.recovered ?? [];
          for (const r of recovered) {
            expect(r.reason, context).toBe('incomplete');
            const name = ['a', 'b', 'c'].find((s) => r.file === liveLog(copy, s)) as string;
            const original = originals.get(name) as Buffer;
            const end = name === torn ? cut : original.length;
            expect([r.offset, r.bytes], context).toEqual([before.get(name) ?? r.offset, end - r.offset]);
            expect(readFileSync(r.sideFile), context).toEqual(original.subarray(r.offset, end));
          }
          // b's part and c1 are cut (a's part too, when some of it is there).
          const files = recovered.map((r) => r.file).sort();
          const expected = ['a', 'b', 'c']
            .filter((s) => s !== torn || cut > from)
            .map((s) => liveLog(copy, s));
          expect(files, context).toEqual(expected.sort());
          expect(statSync(liveLog(copy, 'a')).size, context).toBe(before.get('a'));
          expect(statSync(liveLog(copy, 'b')).size, context).toBe(before.get('b'));
          expect(statSync(liveLog(copy, 'c')).size, context).toBe(
            recovered.find((r) => r.file === liveLog(copy, 'c'))?.offset,
          );
          // Writing goes on from there, and the next batch is whole after another open.
          store.writeMany(a2b2a3);
          await store.close();
          const again = open(copy);
          expect(listed(again), context).toEqual(['1:a/a1', '2:b/b1', '3:a/a2', '4:b/b2', '5:a/a3']);
          expect(again.storageStats()?.recovered, context).toEqual([]);
          await again.close();
          rmSync(copy, { recursive: true });
        }
      }
    } finally {
      warn.mockRestore();
    }
  }, 300_000);

  it('cuts a single-store batch torn inside its part, keeping what came before', async () => {
    const dir = join(temp.dir(), 'seg');
    const first = open(dir);
    first.write({ store: 'a', key: 'a1', value: 1 });
    await first.close();
    const from = statSync(liveLog(dir, 'a')).size;
    await killedAfter(dir, [
      [
        { store: 'a', key: 'a2', value: 2 },
        { store: 'a', key: 'a3', value: 3 },
        { store: 'a', key: 'a4', value: 4 },
      ],
    ]);
    const original = readFileSync(liveLog(dir, 'a'));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (let cut = from + 1; cut < original.length; cut++) {
        const copy = join(temp.dir(), `cut-${cut}`);
        cpSync(dir, copy, { recursive: true });
        truncateSync(liveLog(copy, 'a'), cut);
        const store = open(copy);
        expect(listed(store), `cut at ${cut}`).toEqual(['1:a/a1']);
        const recovered = store.storageStats()?.recovered ?? [];
        expect(recovered, `cut at ${cut}`).toMatchObject([
          { offset: from, bytes: cut - from, reason: 'incomplete' },
        ]);
        expect(readFileSync(recovered[0]?.sideFile as string)).toEqual(original.subarray(from, cut));
        expect(statSync(liveLog(copy, 'a')).size).toBe(from);
        await store.close();
        rmSync(copy, { recursive: true });
      }
    } finally {
      warn.mockRestore();
    }
  }, 120_000);

  it('opens a version 1 segment directory unchanged, and puts batches in new version 2 segments', async () => {
    const dir = temp.dir();
    const first = open(dir);
    first.write({ store: 'a', key: 'a1', value: 1 });
    first.write({ store: 'b', key: 'b1', value: 1 });
    await first.close();
    // As a release before batch markers wrote them: version 1 headers, no markers.
    const paths = ['a', 'b'].map((s) => liveLog(dir, s));
    for (const path of paths) {
      const bytes = readFileSync(path);
      bytes.writeUInt16BE(1, 8);
      bytes.writeUInt32BE(crc32(bytes.subarray(0, 12)), 12);
      writeFileSync(path, bytes);
    }
    const v1 = paths.map((path) => readFileSync(path));
    const store = open(dir);
    expect(listed(store)).toEqual(['1:a/a1', '2:b/b1']);
    expect(store.storageStats()?.recovered).toEqual([]);
    await store.close();
    expect(paths.map((path) => readFileSync(path))).toEqual(v1);
    const again = open(dir);
    again.write({ store: 'a', key: 'a2', value: 2 });
    again.writeMany(a2b2a3);
    await again.close();
    // The single write went on in the version 1 segment; the batch's parts to new segments.
    expect(readFileSync(paths[0] as string).readUInt16BE(8)).toBe(1);
    expect(markers(paths[0] as string)).toEqual([false, false, false]);
    for (const s of ['a', 'b']) {
      expect(liveLog(dir, s)).not.toBe(paths[s === 'a' ? 0 : 1]);
      expect(readFileSync(liveLog(dir, s)).readUInt16BE(8)).toBe(2);
    }
    const last = open(dir);
    expect(listed(last)).toEqual(['1:a/a1', '2:b/b1', '3:a/a2', '4:a/a2', '5:b/b2', '6:a/a3']);
    await last.close();
  });
});
