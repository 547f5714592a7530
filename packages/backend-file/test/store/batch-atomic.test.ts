import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IgniterStore } from '@igniter/core';
import { BATCH_MARKER_FRAME_BYTES, crc32, HEADER_BYTES, readBatchMarker } from '@igniter/core/storage';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const temp = useTempDir('igniter-batch-');

const open = (path: string, options: { repair?: boolean } = {}): IgniterStore =>
  openFileStore(path, { engine: ENGINE, durability: 'none', ...options });

const batch = (b: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ store: 'batch', key: `b${b}-${i}`, value: { b, i } }));

/** Seqs of every fact, and per batch number how many of its facts are there. */
function contents(store: IgniterStore): { seqs: number[]; perBatch: Map<number, number> } {
  const facts = store.factLogAll();
  const perBatch = new Map<number, number>();
  for (const fact of facts) {
    const b = (fact.value as { b: number }).b;
    perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
  }
  return { seqs: facts.map((fact) => fact.seq), perBatch };
}

/** Offsets of the frames of `path` from the metadata record on: [offset, body] pairs. */
function frames(path: string): { offset: number; marker: boolean; next: number }[] {
  const bytes = readFileSync(path);
  const out: { offset: number; marker: boolean; next: number }[] = [];
  for (let at = HEADER_BYTES; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const next = at + 8 + length;
    out.push({ offset: at, marker: readBatchMarker(bytes, at + 4, at + 4 + length) !== null, next });
    at = next;
  }
  return out;
}

/** A log with a single write (seq 1), batch 1 (seqs 2-4) and batch 2 (seqs 5-7). */
async function threeWrites(path: string): Promise<void> {
  const store = open(path);
  store.write({ store: 'batch', key: 'single', value: { b: 0, i: 0 } });
  store.writeMany(batch(1, 3));
  store.writeMany(batch(2, 3));
  await store.close();
}

describe(`writeMany on a file store (${ENGINE} engine) is crash-atomic`, () => {
  it('writes one marker before a batch of two or more frames, none for one fact or a single write', async () => {
    const path = join(temp.dir(), 'marks.log');
    const store = open(path);
    store.write({ store: 'batch', key: 'single', value: { b: 0, i: 0 } });
    store.writeMany(batch(1, 1));
    store.writeMany(batch(2, 3));
    await store.close();
    const found = frames(path);
    // meta, single, batch of one, marker, three frames
    expect(found.map((frame) => frame.marker)).toEqual([false, false, false, true, false, false, false]);
    const bytes = readFileSync(path);
    const marker = found[3] as { offset: number; next: number };
    expect(marker.next - marker.offset).toBe(BATCH_MARKER_FRAME_BYTES);
    expect(readBatchMarker(bytes, marker.offset + 4, marker.next - 4)).toEqual({
      count: 3,
      bytes: bytes.length - marker.next,
      lastFrameBytes:
        (found[6] as { offset: number; next: number }).next - (found[6] as { offset: number }).offset,
    });
    expect(bytes.readUInt16BE(8)).toBe(2);
  });

  it('keeps a batch whole or not at all when the log is cut at any byte inside it', async () => {
    const dir = temp.dir();
    const whole = join(dir, 'whole.log');
    await threeWrites(whole);
    const found = frames(whole);
    const second = found.filter((frame) => frame.marker)[1] as { offset: number };
    const size = statSync(whole).size;
    const bytes = readFileSync(whole);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (let cut = second.offset + 1; cut < size; cut++) {
        const path = join(dir, `cut-${cut}.log`);
        copyFileSync(whole, path);
        truncateSync(path, cut);
        const store = open(path);
        const { seqs, perBatch } = contents(store);
        expect(seqs, `cut at ${cut}`).toEqual([1, 2, 3, 4]);
        expect(perBatch.get(2), `cut at ${cut}`).toBeUndefined();
        const report = (store.storageStats()?.recovered ?? [])[0];
        expect(report, `cut at ${cut}`).toMatchObject({
          offset: second.offset,
          bytes: cut - second.offset,
          reason: 'incomplete',
        });
        expect(readFileSync(report?.sideFile as string)).toEqual(bytes.subarray(second.offset, cut));
        expect(statSync(path).size).toBe(second.offset);
        // The log goes on from there: a new batch is whole after another open.
        store.writeMany(batch(3, 2));
        await store.close();
        const again = open(path);
        expect(contents(again).seqs).toEqual([1, 2, 3, 4, 5, 6]);
        await again.close();
      }
    } finally {
      warn.mockRestore();
    }
  }, 120_000);

  it('keeps a whole batch at the end of the log and cuts nothing', async () => {
    const path = join(temp.dir(), 'whole.log');
    await threeWrites(path);
    const store = open(path);
    expect(contents(store).seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(store.storageStats()?.recovered).toEqual([]);
    await store.close();
  });

  it('refuses a batch missing a frame before intact frames (ERR_CORRUPT_LOG), and repair keeps what precedes the damage', async () => {
    const path = join(temp.dir(), 'middle.log');
    await threeWrites(path);
    const found = frames(path);
    const first = found.findIndex((frame) => frame.marker);
    const damaged = found[first + 2] as { offset: number };
    const bytes = readFileSync(path);
    bytes[damaged.offset + 10] = (bytes[damaged.offset + 10] as number) ^ 0xff;
    writeFileSync(path, bytes);
    expect(() => open(path)).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT_LOG' }));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const repaired = open(path, { repair: true });
      expect(contents(repaired).seqs).toEqual([1, 2]);
      await repaired.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('cuts a batch whose bytes are all there but whose last frame is zeroed, like a torn tail', async () => {
    const path = join(temp.dir(), 'zeroed.log');
    await threeWrites(path);
    const found = frames(path);
    const second = found.filter((frame) => frame.marker)[1] as { offset: number };
    const last = found.at(-1) as { offset: number; next: number };
    const bytes = readFileSync(path);
    bytes.fill(0, last.offset, last.next);
    writeFileSync(path, bytes);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const store = open(path);
      expect(contents(store).seqs).toEqual([1, 2, 3, 4]);
      expect(store.storageStats()?.recovered?.[0]).toMatchObject({
        offset: second.offset,
        reason: 'incomplete',
      });
      await store.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('opens a log written before batch markers (format version 1) unchanged, then raises it to version 2', async () => {
    const path = join(temp.dir(), 'v1.log');
    const backend = new FileBackend(path, { durability: 'none' });
    backend.closeSync();
    // A version 1 log as the previous release wrote it: header, metadata record, single frames.
    const store = open(path);
    store.writeMany(batch(1, 1));
    store.write({ store: 'batch', key: 'two', value: { b: 2, i: 0 } });
    await store.close();
    const bytes = readFileSync(path);
    bytes.writeUInt16BE(1, 8);
    bytes.writeUInt32BE(crc32(bytes.subarray(0, 12)), 12);
    writeFileSync(path, bytes);
    const reopened = open(path);
    expect(contents(reopened).seqs).toEqual([1, 2]);
    expect(readFileSync(path).subarray(16)).toEqual(bytes.subarray(16));
    expect(readFileSync(path).readUInt16BE(8)).toBe(2);
    reopened.writeMany(batch(3, 4));
    await reopened.close();
    const last = open(path);
    expect(contents(last).seqs).toEqual([1, 2, 3, 4, 5, 6]);
    await last.close();
  });

  it('verify counts the facts of a whole batch, and names a batch that is not whole at its marker', async () => {
    const path = join(temp.dir(), 'verify.log');
    const store = open(path);
    store.write({ store: 'batch', key: 'single', value: { b: 0, i: 0 } });
    store.writeMany(batch(1, 3));
    await store.flush();
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 4, problems: [], warnings: [] });
    const marker = frames(path).find((frame) => frame.marker) as { offset: number };
    truncateSync(path, statSync(path).size - 5);
    expect(await store.verify()).toMatchObject({
      ok: false,
      factsChecked: 1,
      problems: [
        {
          kind: 'frame',
          file: path,
          offset: marker.offset,
          message: `${path}: the batch of 3 frames at byte ${marker.offset} is not whole (torn tail: open cuts it)`,
        },
      ],
    });
    await store.close();
  });
});
