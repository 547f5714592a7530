import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AtomicFileWriter,
  crc32,
  crc32Table,
  decodeFrames,
  encodeFrame,
  encodeHeader,
  FileKind,
  HEADER_BYTES,
  isHeaderPrefix,
  jsonFactCodec,
  readHeader,
  removeStaleTempFiles,
} from '@igniter/core/storage';
import { codeOf, useTempDir, variedFacts } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { xorByte } from '../support/bytes.js';

const temp = useTempDir('igniter-file-');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('CRC-32', () => {
  it('matches the IEEE check value, natively and table-driven', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff));
    expect(crc32Table(data)).toBe(crc32(data));
    expect(crc32Table(data.subarray(5000), crc32Table(data.subarray(0, 5000)))).toBe(crc32(data));
  });
});

describe('frames', () => {
  it('encode to the reference vectors', () => {
    expect(hex(encodeFrame(Buffer.from('')))).toBe('0000000000000000');
    expect(hex(encodeFrame(Buffer.from('abc')))).toBe('00000003616263352441c2');
    expect(hex(encodeFrame(Buffer.from('{}')))).toBe('000000027b7da3a6bf43');
  });

  it('decode back to their bodies, with an incomplete trailing frame as rest', () => {
    const stream = Buffer.concat([
      encodeFrame(Buffer.from('abc')),
      encodeFrame(Buffer.from('')),
      encodeFrame(Buffer.from('{}')),
    ]);
    const { frames, rest } = decodeFrames(stream.subarray(0, stream.length - 3), { maxFrameBytes: 100 });
    expect(frames.map((f) => Buffer.from(f).toString())).toEqual(['abc', '']);
    expect(hex(rest)).toBe(hex(stream.subarray(19, stream.length - 3)));
  });

  it('a bad CRC is ERR_CORRUPT_FRAME and a length over the limit is ERR_FRAME_TOO_LARGE', () => {
    const frame = Buffer.from(encodeFrame(Buffer.from('abc')));
    xorByte(frame, 5, 1);
    expect(codeOf(() => decodeFrames(frame, { maxFrameBytes: 100 }))).toBe('ERR_CORRUPT_FRAME');
    expect(codeOf(() => decodeFrames(encodeFrame(Buffer.from('abcd')), { maxFrameBytes: 3 }))).toBe(
      'ERR_FRAME_TOO_LARGE',
    );
    expect(codeOf(() => decodeFrames(frame, { maxFrameBytes: -1 }))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('file headers', () => {
  const codecs = new Set([1]);

  it('round-trip kind and codec, and a torn header is recognised as one', () => {
    const header = encodeHeader(FileKind.snapshot, 1);
    expect(header.length).toBe(HEADER_BYTES);
    // Logs, snapshots and segments may hold batch markers: version 2; record files stay version 1.
    expect(readHeader(header, 'f', FileKind.snapshot, codecs)).toEqual({
      version: 2,
      kind: FileKind.snapshot,
      codec: 1,
    });
    expect(readHeader(encodeHeader(FileKind.segment, 1), 'f', FileKind.segment, codecs)).toEqual({
      version: 2,
      kind: FileKind.segment,
      codec: 1,
    });
    expect(readHeader(encodeHeader(FileKind.record, 0), 'f', FileKind.record, new Set([0]))).toEqual({
      version: 1,
      kind: FileKind.record,
      codec: 0,
    });
    expect(isHeaderPrefix(header.subarray(0, 11))).toBe(true);
    expect(isHeaderPrefix(Buffer.from('IGN'))).toBe(false);
  });

  it('anything else is ERR_UNSUPPORTED_FORMAT', () => {
    expect(codeOf(() => readHeader(Buffer.from('not a header at all'), 'f', FileKind.wal, codecs))).toBe(
      'ERR_UNSUPPORTED_FORMAT',
    );
    expect(codeOf(() => readHeader(encodeHeader(FileKind.wal, 2), 'f', FileKind.wal, codecs))).toBe(
      'ERR_UNSUPPORTED_FORMAT',
    );
    expect(codeOf(() => readHeader(encodeHeader(FileKind.wal, 1), 'f', FileKind.segment, codecs))).toBe(
      'ERR_UNSUPPORTED_FORMAT',
    );
  });
});

describe('the JSON fact codec', () => {
  it('round-trips every field of every fact exactly', () => {
    for (const fact of variedFacts()) {
      const frame = jsonFactCodec.frame(fact);
      const decoded = jsonFactCodec.decode(frame, 4, frame.length - 4);
      expect(decoded).toEqual(fact);
      expect(Object.is(decoded.validTime, fact.validTime)).toBe(true);
    }
  });

  it('a body that is not a fact is ERR_CORRUPT_FRAME', () => {
    for (const body of ['not json', '{"store":"x"}', '[1,"id"]', `[2${',null'.repeat(13)}]`]) {
      const bytes = Buffer.from(body);
      expect(codeOf(() => jsonFactCodec.decode(bytes, 0, bytes.length))).toBe('ERR_CORRUPT_FRAME');
    }
  });
});

describe('AtomicFileWriter', () => {
  it('commit replaces the target with the complete new file', () => {
    const target = join(temp.dir(), 'data');
    writeFileSync(target, 'old');
    const file = new AtomicFileWriter(target);
    file.write(Buffer.from('new '));
    file.write(Buffer.alloc(3 * 1024 * 1024, 0x61));
    file.commit();
    const bytes = readFileSync(target);
    expect(bytes.length).toBe(4 + 3 * 1024 * 1024);
    expect(readdirSync(temp.dir())).toEqual(['data']);
  });

  it('abort leaves the target as it was and removes the temp file', () => {
    const target = join(temp.dir(), 'data');
    writeFileSync(target, 'old');
    const file = new AtomicFileWriter(target);
    file.write(Buffer.from('new'));
    file.abort();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(existsSync(file.tempPath)).toBe(false);
  });

  it('removeStaleTempFiles removes only the temp files of that target', () => {
    const target = join(temp.dir(), 'data');
    writeFileSync(`${target}.tmp-1-aa`, '');
    writeFileSync(`${target}.snapshot.tmp-1-aa`, '');
    writeFileSync(join(temp.dir(), 'other.tmp-1-aa'), '');
    expect(removeStaleTempFiles(target)).toEqual([`${target}.tmp-1-aa`]);
    expect(readdirSync(temp.dir()).sort()).toEqual(['data.snapshot.tmp-1-aa', 'other.tmp-1-aa']);
  });
});
