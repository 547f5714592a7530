import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { crc32, encodeFrame, encodeHeader, FileKind } from '@igniter/core/storage';
import { contractFact, frameOffsets, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { addToByte, xorByte } from '../support/bytes.js';

const temp = useTempDir('igniter-file-');

function writeLog(path: string, facts: readonly Fact[]): void {
  const backend = new FileBackend(path, { durability: 'none' });
  for (const fact of facts) backend.writeFact(fact);
  backend.closeSync();
}

/** A well-signed header whose only fault is its format version. */
function futureVersionHeader(): Buffer {
  const header = encodeHeader(FileKind.wal, 1);
  header.writeUInt16BE(3, 8);
  header.writeUInt32BE(crc32(header.subarray(0, 12)), 12);
  return header;
}

const facts = [1, 2, 3, 4, 5, 6].map((seq) =>
  contractFact(seq, { value: { n: seq, text: 'x'.repeat(seq * 7) } }),
);

describe('opening a log whose tail was torn', () => {
  // Each cut is first copied to a side file (two fsyncs): slow on a loaded machine, hence the limit.
  it('opens a clean prefix for a cut at every byte offset of the last three frames', () => {
    const original = join(temp.dir(), 'original.log');
    writeLog(original, facts);
    const bytes = readFileSync(original);
    const { starts, end } = frameOffsets(original);
    const frameEnds = [...starts.slice(1), end];
    const firstCut = starts[starts.length - 3] as number;
    expect(end).toBe(bytes.length);
    const path = join(temp.dir(), 'cut.log');
    for (let cut = firstCut; cut < end; cut++) {
      writeFileSync(path, bytes.subarray(0, cut));
      const backend = new FileBackend(path, { durability: 'none' });
      const intactEnd = Math.max(...frameEnds.filter((e) => e <= cut));
      const kept = frameEnds.filter((e) => e <= cut).length - 1; // minus the metadata record
      expect([...backend.replay()], `cut at ${cut}`).toEqual(facts.slice(0, kept));
      expect(backend.storageStats().recoveredTailBytes, `cut at ${cut}`).toBe(cut - intactEnd);
      expect(backend.highWaterSeq()).toBe(kept);
      backend.closeSync();
      expect(statSync(path).size, `cut at ${cut}`).toBe(intactEnd);
    }
  }, 120_000);

  it('appends after the truncated tail, and the next open finds nothing to recover', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts);
    truncateSync(path, statSync(path).size - 3);
    const backend = new FileBackend(path);
    expect([...backend.replay()]).toEqual(facts.slice(0, 5));
    backend.writeFact(contractFact(7));
    backend.closeSync();
    const again = new FileBackend(path);
    expect([...again.replay()]).toEqual([...facts.slice(0, 5), contractFact(7)]);
    expect(again.storageStats().recoveredTailBytes).toBe(0);
    again.closeSync();
  });

  it('treats a damaged last frame (a bit flip in it) as a torn tail', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts);
    const bytes = readFileSync(path);
    xorByte(bytes, bytes.length - 1, 0x01);
    writeFileSync(path, bytes);
    const { starts } = frameOffsets(path);
    const backend = temp.track(new FileBackend(path));
    expect([...backend.replay()]).toEqual(facts.slice(0, 5));
    expect(backend.storageStats().recoveredTailBytes).toBe(bytes.length - (starts[6] as number));
  });

  it('treats a zero-filled tail (blocks allocated but never written) as a torn tail', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts);
    const size = statSync(path).size;
    truncateSync(path, size + 4096);
    const backend = temp.track(new FileBackend(path));
    expect([...backend.replay()]).toEqual(facts);
    expect(backend.storageStats().recoveredTailBytes).toBe(4096);
  });
});

describe('opening a log with a damaged frame before intact ones', () => {
  const damage = (
    mutate: (bytes: Buffer, frameStart: number) => void,
  ): { path: string; offset: number; before: Buffer } => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts);
    const offset = frameOffsets(path).starts[2] as number; // the second fact
    const bytes = readFileSync(path);
    mutate(bytes, offset);
    writeFileSync(path, bytes);
    return { path, offset, before: bytes };
  };

  it.each([
    ['a bit flip in the body', (b: Buffer, at: number) => xorByte(b, at + 10, 0x04)],
    ['a bit flip in the CRC', (b: Buffer, at: number) => xorByte(b, at + 4 + b.readUInt32BE(at), 0x80)],
    ['a length made larger', (b: Buffer, at: number) => addToByte(b, at + 3, 1)],
    ['a length made smaller', (b: Buffer, at: number) => addToByte(b, at + 3, -1)],
    ['a length far past the end', (b: Buffer, at: number) => b.writeUInt8(0x01, at)],
  ])('%s fails with ERR_CORRUPT_LOG naming the file and offset, changing nothing', (_, mutate) => {
    const { path, offset, before } = damage(mutate);
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toContain(path);
    expect(error.message).toContain(`byte ${offset}`);
    expect(error.details).toMatchObject({ file: path, offset });
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('with repair: true moves the damaged frame and everything after it to a quarantine file', () => {
    const { path, offset, before } = damage((b, at) => xorByte(b, at + 10, 0x04));
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const backend = new FileBackend(path, { repair: true });
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings.mock.calls[0]?.[1]).toMatchObject({ code: 'IGNITER_RECOVERED' });
    warnings.mockRestore();
    expect([...backend.replay()]).toEqual(facts.slice(0, 1));
    expect(backend.storageStats().recoveredTailBytes).toBe(before.length - offset);
    expect(backend.storageStats().recovered).toEqual([
      {
        file: path,
        offset,
        bytes: before.length - offset,
        sideFile: `${path}.quarantine-1`,
        lastIntactSeq: 1,
        reason: 'repair',
      },
    ]);
    expect(backend.recoveryReport().quarantined).toBe(`${path}.quarantine-1`);
    expect(readFileSync(`${path}.quarantine-1`).equals(before.subarray(offset))).toBe(true);
    backend.writeFact(contractFact(2));
    backend.closeSync();
    const again = temp.track(new FileBackend(path));
    expect([...again.replay()]).toEqual([facts[0], contractFact(2)]);
  });

  it('a second repair writes the next quarantine number', () => {
    const path = join(temp.dir(), 'app.log');
    writeFileSync(`${path}.quarantine-1`, 'earlier');
    writeLog(path, facts);
    const bytes = readFileSync(path);
    xorByte(bytes, (frameOffsets(path).starts[3] as number) + 9, 1);
    writeFileSync(path, bytes);
    vi.spyOn(process, 'emitWarning').mockImplementationOnce(() => undefined);
    const backend = temp.track(new FileBackend(path, { repair: true }));
    expect(backend.recoveryReport().quarantined).toBe(`${path}.quarantine-2`);
    expect(readFileSync(`${path}.quarantine-1`, 'utf8')).toBe('earlier');
  });

  it('a CRC-valid frame that is not a fact is ERR_CORRUPT_LOG, even at the end', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts.slice(0, 2));
    const size = statSync(path).size;
    writeFileSync(path, Buffer.concat([readFileSync(path), encodeFrame(Buffer.from('{"store":"x"}'))]));
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ offset: size });
  });

  it('a fact whose seq does not increase is ERR_CORRUPT_LOG', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts.slice(0, 3));
    const { starts, end } = frameOffsets(path);
    const bytes = readFileSync(path);
    const second = bytes.subarray(starts[2] as number, starts[3] as number);
    writeFileSync(path, Buffer.concat([bytes, second]));
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ offset: end });
  });
});

describe('opening a file that is not an Igniter log', () => {
  it.each([
    ['text', Buffer.from('hello, this is not a log at all\n')],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251))],
    ['a headerless frame of JSON (the Ruby format)', encodeFrame(Buffer.from('{"id":"a","store":"tasks"}'))],
    ['a future format version', futureVersionHeader()],
    ['a snapshot header', encodeHeader(FileKind.snapshot, 1)],
    ['an unknown body codec', encodeHeader(FileKind.wal, 99)],
    ['a few bytes that are not a header', Buffer.from([0x00, 0x01, 0x02])],
  ])('%s fails with ERR_UNSUPPORTED_FORMAT and is left untouched', (_, content) => {
    const path = join(temp.dir(), 'app.log');
    const bytes = Buffer.from(content);
    writeFileSync(path, bytes);
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_UNSUPPORTED_FORMAT');
    expect(error.message).toContain(path);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(temp.dir())).toEqual(['app.log']);
  });

  it('a header of ours that fails its CRC is ERR_CORRUPT_LOG', () => {
    const path = join(temp.dir(), 'app.log');
    writeLog(path, facts.slice(0, 1));
    const bytes = readFileSync(path);
    xorByte(bytes, 11, 0x02);
    writeFileSync(path, bytes);
    expect(thrown(() => new FileBackend(path)).code).toBe('ERR_CORRUPT_LOG');
  });
});

describe('a missing or empty log', () => {
  it('a missing file (and directory) is a new log', () => {
    const path = join(temp.dir(), 'deep', 'er', 'app.log');
    const backend = temp.track(new FileBackend(path));
    expect([...backend.replay()]).toEqual([]);
    expect(backend.storageStats()).toEqual({
      backend: 'file',
      byteSize: statSync(path).size,
      factCount: 0,
      recoveredTailBytes: 0,
      recovered: [],
      stores: {},
    });
  });

  it('an empty file is a new log', () => {
    const path = join(temp.dir(), 'app.log');
    writeFileSync(path, '');
    const backend = new FileBackend(path);
    backend.writeFact(contractFact(1));
    backend.closeSync();
    expect([...temp.track(new FileBackend(path)).replay()]).toEqual([contractFact(1)]);
  });

  it('a log shorter than its header is ERR_CORRUPT_LOG and untouched: a log is created whole, so it was cut', () => {
    const path = join(temp.dir(), 'app.log');
    const head = encodeHeader(FileKind.wal, 1).subarray(0, 9);
    writeFileSync(path, head);
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: path, offset: 0, reason: 'shorter than its header' });
    expect(error.message).toContain('{ repair: true }');
    expect(readFileSync(path).equals(head)).toBe(true);
    expect(readdirSync(temp.dir())).toEqual(['app.log']);
  });

  it('with repair: true a log shorter than its header is kept in a side file and a new log starts', () => {
    const path = join(temp.dir(), 'app.log');
    const head = encodeHeader(FileKind.wal, 1).subarray(0, 9);
    writeFileSync(path, head);
    vi.spyOn(process, 'emitWarning').mockImplementationOnce(() => undefined);
    const backend = temp.track(new FileBackend(path, { repair: true }));
    expect([...backend.replay()]).toEqual([]);
    const [cut] = backend.storageStats().recovered;
    expect(cut).toEqual({
      file: path,
      offset: 0,
      bytes: 9,
      sideFile: expect.stringMatching(/\.recovered-\d+$/),
      lastIntactSeq: 0,
      reason: 'repair',
    });
    expect(readFileSync(cut?.sideFile as string).equals(head)).toBe(true);
    expect(backend.storageStats().recoveredTailBytes).toBe(9);
  });
});

describe('the snapshot next to a log', () => {
  const checkpointed = (): string => {
    const path = join(temp.dir(), 'app.log');
    const backend = new FileBackend(path);
    for (const fact of facts.slice(0, 3)) backend.writeFact(fact);
    backend.writeSnapshot(facts.slice(0, 3), { lastSeq: 3 });
    backend.writeFact(facts[3] as Fact);
    backend.closeSync();
    return path;
  };

  it('a damaged snapshot is ERR_CORRUPT_LOG naming the snapshot, never a silently shorter store', () => {
    const path = checkpointed();
    const bytes = readFileSync(`${path}.snapshot`);
    const second = frameOffsets(`${path}.snapshot`).starts[2] as number;
    xorByte(bytes, second + 12, 0x10);
    writeFileSync(`${path}.snapshot`, bytes);
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ file: `${path}.snapshot`, offset: second });
    expect(error.message).toContain('open with { repair: true } to rebuild it from its intact frames');
    expect(readFileSync(`${path}.snapshot`).equals(bytes)).toBe(true);
  });

  it('with repair: true a damaged snapshot keeps every intact frame plus the log, and reports the loss', () => {
    const path = checkpointed();
    const bytes = readFileSync(`${path}.snapshot`);
    const { starts } = frameOffsets(`${path}.snapshot`);
    const second = starts[2] as number;
    xorByte(bytes, second + 12, 0x10);
    writeFileSync(`${path}.snapshot`, bytes);
    vi.spyOn(process, 'emitWarning').mockImplementationOnce(() => undefined);
    const backend = temp.track(new FileBackend(path, { repair: true }));
    expect([...backend.replay()]).toEqual([facts[0], facts[2], facts[3]]);
    const [cut] = backend.storageStats().recovered;
    expect(cut).toEqual({
      file: `${path}.snapshot`,
      offset: second,
      bytes: (starts[3] as number) - second,
      sideFile: expect.stringMatching(/\.snapshot\.recovered-\d+$/),
      lastIntactSeq: 1,
      reason: 'snapshot-repair',
    });
    expect(readFileSync(cut?.sideFile as string).equals(bytes)).toBe(true);
    expect(backend.highWaterSeq()).toBe(4);
  });

  it('a truncated snapshot is ERR_CORRUPT_LOG', () => {
    const path = checkpointed();
    truncateSync(`${path}.snapshot`, statSync(`${path}.snapshot`).size - 1);
    expect(thrown(() => new FileBackend(path)).code).toBe('ERR_CORRUPT_LOG');
  });

  it('a garbage snapshot is ERR_CORRUPT_LOG naming the snapshot (it is damage, not a foreign file)', () => {
    const path = checkpointed();
    writeFileSync(`${path}.snapshot`, 'garbage');
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ file: `${path}.snapshot`, offset: 0 });
  });

  it('a missing snapshot that the log continues is ERR_CORRUPT_LOG', () => {
    const path = checkpointed();
    rmSync(`${path}.snapshot`);
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toContain('snapshot');
  });

  it('a missing log next to a snapshot is ERR_CORRUPT_LOG', () => {
    const path = checkpointed();
    rmSync(path);
    expect(thrown(() => new FileBackend(path)).code).toBe('ERR_CORRUPT_LOG');
  });

  it('an older snapshot put back under a newer log is ERR_CORRUPT_LOG', () => {
    const path = checkpointed();
    copyFileSync(`${path}.snapshot`, join(temp.dir(), 'old.snapshot'));
    const backend = new FileBackend(path);
    backend.replay();
    backend.writeSnapshot(facts.slice(0, 4), { lastSeq: 4 });
    backend.closeSync();
    copyFileSync(join(temp.dir(), 'old.snapshot'), `${path}.snapshot`);
    expect(thrown(() => new FileBackend(path)).code).toBe('ERR_CORRUPT_LOG');
  });
});
