import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, encodeHeader, FileKind, FRAME_OVERHEAD } from '@igniter/core/storage';
import { filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { factOf, flipByte, frameBytes, headBytes, segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const facts = [1, 2, 3, 4, 5, 6].map((seq) => factOf(seq));
const seqs = (list: Iterable<{ seq: number }>): number[] => [...list].map((f) => f.seq);

/**
 * Writes `facts` (one live segment of "tasks", or sealed every `maxSegmentFacts`) and closes.
 * With `crash`, the catalog is left as a crash would leave it: without the record of the clean
 * close (the live segment's final size), so a torn tail is a crash's, not a cut of closed data.
 */
function writeFacts(options: { maxSegmentFacts?: number; crash?: boolean } = {}): void {
  const { crash, ...rest } = options;
  const backend = new SegmentedFileBackend(temp.dir(), { durability: 'none', ...rest });
  for (const fact of facts) backend.writeFact(fact);
  const catalog = join(temp.dir(), 'catalog');
  const beforeClose = readFileSync(catalog);
  backend.closeSync();
  if (crash) writeFileSync(catalog, beforeClose);
}

/** Offsets where each fact frame of the live segment ends. */
function frameEnds(): number[] {
  let at = headBytes('tasks', 1);
  return facts.map((fact) => {
    at += frameBytes(fact);
    return at;
  });
}

describe('a live segment whose tail was torn', () => {
  it('opens a clean prefix for a cut at every byte offset of the last two frames, reporting the bytes cut', () => {
    writeFacts({ crash: true });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const bytes = readFileSync(path);
    const ends = frameEnds();
    expect(ends[5]).toBe(bytes.length);
    for (let cut = ends[3] as number; cut < bytes.length; cut++) {
      writeFileSync(path, bytes.subarray(0, cut));
      const backend = new SegmentedFileBackend(temp.dir());
      const kept = ends.filter((end) => end <= cut).length;
      const intactEnd = ends[kept - 1] as number;
      expect(seqs(backend.replay()), `cut at ${cut}`).toEqual(seqs(facts.slice(0, kept)));
      expect(backend.storageStats().recoveredTailBytes, `cut at ${cut}`).toBe(cut - intactEnd);
      expect(backend.highWaterSeq()).toBe(kept);
      backend.closeSync();
      expect(statSync(path).size, `cut at ${cut}`).toBe(intactEnd);
    }
  });

  it('takes new writes after the truncated tail, and the next open recovers nothing', () => {
    writeFacts({ crash: true });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    writeFileSync(path, readFileSync(path).subarray(0, statSync(path).size - 3));
    const backend = new SegmentedFileBackend(temp.dir());
    backend.writeFact(factOf(7));
    backend.closeSync();
    const again = temp.track(new SegmentedFileBackend(temp.dir()));
    expect(seqs(again.replay())).toEqual([1, 2, 3, 4, 5, 7]);
    expect(again.storageStats().recoveredTailBytes).toBe(0);
  });
});

describe('a damaged frame followed by intact ones', () => {
  it('in the live segment fails the open with ERR_CORRUPT_LOG naming the file and offset', () => {
    writeFacts();
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const offset = frameEnds()[0] as number;
    flipByte(path, offset + 12);
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: path, offset, reason: 'bad-crc' });
    expect(error.message).toBe(
      `${path}: damaged frame at byte ${offset} (bad-crc); open with { repair: true } to move it and everything after it to a quarantine file`,
    );
    // The failed open released the lock.
    temp.track(new SegmentedFileBackend(temp.dir(), { repair: true }));
  });

  it('with repair: true is moved with everything after it to a quarantine file, keeping what came before', () => {
    writeFacts();
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const offset = frameEnds()[1] as number;
    flipByte(path, offset + 12);
    const bytes = readFileSync(path);
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const backend = temp.track(new SegmentedFileBackend(temp.dir(), { repair: true }));
    expect(warning).toHaveBeenCalledTimes(1);
    warning.mockRestore();
    expect(seqs(backend.replay())).toEqual([1, 2]);
    expect(backend.recoveryReport().quarantined).toEqual([`${path}.quarantine-1`]);
    expect(backend.storageStats().recoveredTailBytes).toBe(bytes.length - offset);
    expect(readFileSync(`${path}.quarantine-1`).equals(bytes.subarray(offset))).toBe(true);
    expect(statSync(path).size).toBe(offset);
    backend.writeFact(factOf(7));
    expect(seqs(backend.replay())).toEqual([1, 2, 7]);
  });

  it('in a sealed segment makes replay fail with ERR_CORRUPT_LOG naming the file and offset', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const offset = headBytes('tasks', 1) + frameBytes(factOf(1));
    flipByte(path, offset + 20);
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    const error = thrown(() => backend.replay());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: path, offset, reason: 'bad-crc' });
  });

  it('in a sealed segment with repair: true is quarantined at open, and the manifest rewritten to what is left', async () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const offset = headBytes('tasks', 1) + frameBytes(factOf(1));
    flipByte(path, offset + 20);
    const bytes = readFileSync(path);
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const backend = new SegmentedFileBackend(temp.dir(), { repair: true });
    expect(warning).toHaveBeenCalledTimes(1);
    warning.mockRestore();
    expect(backend.recoveryReport().quarantined).toEqual([`${path}.quarantine-1`]);
    expect(backend.storageStats().recoveredTailBytes).toBe(bytes.length - offset);
    expect(readFileSync(`${path}.quarantine-1`).equals(bytes.subarray(offset))).toBe(true);
    expect(seqs(backend.replay())).toEqual([1, 4, 5, 6]);
    expect(backend.segmentManifest().stores.tasks?.[0]).toEqual(
      expect.objectContaining({
        segment: 1,
        sealed: true,
        minSeq: 1,
        maxSeq: 1,
        factCount: 1,
        byteSize: offset,
      }),
    );
    await backend.close();
    expect(seqs(temp.track(new SegmentedFileBackend(temp.dir())).replay())).toEqual([1, 4, 5, 6]);
  });

  it('a sealed segment missing its last frame keeps its intact facts with repair: true', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const end = headBytes('tasks', 1) + frameBytes(factOf(1)) + frameBytes(factOf(2));
    writeFileSync(path, readFileSync(path).subarray(0, end));
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const backend = temp.track(new SegmentedFileBackend(temp.dir(), { repair: true }));
    expect(String(warning.mock.calls[0]?.[0])).toContain('(1 facts of the manifest are not in the segment)');
    warning.mockRestore();
    expect(backend.recoveryReport().quarantined).toEqual([]);
    expect(seqs(backend.replay())).toEqual([1, 2, 4, 5, 6]);
  });

  it('in a sealed segment whose frames were reordered is caught by the seq order and the file checksum', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const bytes = readFileSync(path);
    const head = headBytes('tasks', 1);
    const one = frameBytes(factOf(1));
    const two = frameBytes(factOf(2));
    expect(one).toBe(two);
    const swapped = Buffer.concat([
      bytes.subarray(0, head),
      bytes.subarray(head + one, head + 2 * one),
      bytes.subarray(head, head + one),
      bytes.subarray(head + 2 * one),
    ]);
    writeFileSync(path, swapped);
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    const error = thrown(() => backend.replay());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: path, offset: head + one, reason: 'seq 1 does not follow seq 2' });
  });
});

describe('files that are not what they should be', () => {
  it('a catalog that is not an Igniter file is ERR_UNSUPPORTED_FORMAT, never an empty store', () => {
    mkdirSync(join(temp.dir(), 'stores'));
    writeFileSync(join(temp.dir(), 'catalog'), 'not an igniter file, just some text');
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_UNSUPPORTED_FORMAT');
    expect(error.details).toEqual({ file: join(temp.dir(), 'catalog') });
  });

  it('a live segment overwritten with garbage is ERR_UNSUPPORTED_FORMAT', () => {
    writeFacts();
    const path = segmentFile(temp.dir(), 'tasks', 1);
    writeFileSync(path, Buffer.alloc(200, 0x41));
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_UNSUPPORTED_FORMAT');
    expect(error.details).toEqual({ file: path });
  });

  it('a sealed segment overwritten with garbage is ERR_UNSUPPORTED_FORMAT', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    writeFileSync(path, Buffer.alloc(statSync(path).size, 0x41));
    expect(thrown(() => new SegmentedFileBackend(temp.dir())).code).toBe('ERR_UNSUPPORTED_FORMAT');
  });

  it('a segment of a future format version is ERR_UNSUPPORTED_FORMAT', () => {
    writeFacts();
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const bytes = readFileSync(path);
    const header = encodeHeader(FileKind.segment, 1);
    header.writeUInt16BE(3, 8);
    header.writeUInt32BE(crc32(header.subarray(0, 12)), 12);
    header.copy(bytes, 0);
    writeFileSync(path, bytes);
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_UNSUPPORTED_FORMAT');
    expect(error.message).toContain('format version 3');
  });

  it('a sealed segment shorter than its manifest says is ERR_CORRUPT_LOG at open', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const path = segmentFile(temp.dir(), 'tasks', 1);
    const size = statSync(path).size;
    writeFileSync(path, readFileSync(path).subarray(0, size - FRAME_OVERHEAD));
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toBe(
      `${path}: the sealed segment is ${size - FRAME_OVERHEAD} bytes, its manifest says ${size}; open with { repair: true } to keep its intact facts`,
    );
  });

  it('a damaged manifest is ERR_CORRUPT_LOG naming it', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const manifest = segmentFile(temp.dir(), 'tasks', 1, 'manifest');
    flipByte(manifest, 30);
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: manifest, offset: 16 });
  });

  it('a segment with a damaged metadata record is ERR_CORRUPT_LOG, even with repair', () => {
    writeFacts();
    const path = segmentFile(temp.dir(), 'tasks', 1);
    flipByte(path, 20);
    for (const repair of [false, true]) {
      const error = thrown(() => new SegmentedFileBackend(temp.dir(), { repair }));
      expect(error.code).toBe('ERR_CORRUPT_LOG');
      expect(error.details).toEqual({ file: path, offset: 16, reason: 'metadata record bad-crc' });
    }
  });

  it('a segment copied into the folder of another store is ERR_CORRUPT_LOG', () => {
    writeFacts();
    mkdirSync(join(temp.dir(), 'stores', 'other'));
    const stray = join(temp.dir(), 'stores', 'other', 'segment-0000000001.log');
    copyFileSync(segmentFile(temp.dir(), 'tasks', 1), stray);
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toBe(`${stray}: it belongs to store "tasks", not to this folder`);
  });

  it('a missing catalog next to store folders is ERR_CORRUPT_LOG, and nothing is touched', () => {
    writeFacts();
    rmSync(join(temp.dir(), 'catalog'));
    const before = filesUnder(temp.dir());
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toContain('the catalog is missing');
    expect(filesUnder(temp.dir())).toEqual(before);
  });

  it('a catalog without the stores folder is ERR_CORRUPT_LOG, never an empty store', () => {
    writeFacts();
    rmSync(join(temp.dir(), 'stores'), { recursive: true });
    const error = thrown(() => new SegmentedFileBackend(temp.dir()));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toBe(
      `${join(temp.dir(), 'stores')}: the store folders are missing, but the catalog exists`,
    );
  });

  it('temp files of interrupted writes are removed at open and reported', () => {
    writeFacts({ maxSegmentFacts: 3 });
    const stale = [
      join(temp.dir(), 'catalog.tmp-999-abc123'),
      `${segmentFile(temp.dir(), 'tasks', 2, 'manifest')}.tmp-999-abc123`,
      `${segmentFile(temp.dir(), 'tasks', 3)}.tmp-999-abc123`,
    ];
    for (const path of stale) writeFileSync(path, 'partial');
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    expect([...backend.recoveryReport().removedFiles].sort()).toEqual([...stale].sort());
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
