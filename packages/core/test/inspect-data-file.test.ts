import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DataFileEntry,
  encodeHeader,
  encodeMetaFrame,
  FileKind,
  HEADER_BYTES,
  inspectDataFile,
  jsonFactCodec,
} from '../src/storage/index.js';
import { contractFact } from '../src/testing/facts.js';
import { useTempDir } from '../src/testing/index.js';

const temp = useTempDir('igniter-core-');
const facts = [1, 2, 3].map((seq) => contractFact(seq));
const frames = facts.map((f) => jsonFactCodec.frame(f));
const meta = encodeMetaFrame({ type: 'wal', baseSeq: 0 });
const starts = [HEADER_BYTES + meta.length];
for (const frame of frames.slice(0, -1)) starts.push((starts[starts.length - 1] as number) + frame.length);

/** What `inspectDataFile` yields for a log file holding `bytes`, read in chunks of `chunkBytes`. */
async function inspect(bytes: Buffer, chunkBytes?: number): Promise<DataFileEntry[]> {
  const path = join(temp.dir(), 'data.log');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try {
    const out: DataFileEntry[] = [];
    const options = {
      fd,
      path,
      size: bytes.length,
      kind: FileKind.wal,
      metaType: 'wal',
      maxFrameBytes: 1 << 20,
    };
    for await (const entry of inspectDataFile(
      chunkBytes === undefined ? options : { ...options, chunkBytes },
    )) {
      out.push(entry);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function logBytes(): Buffer {
  return Buffer.concat([encodeHeader(FileKind.wal, jsonFactCodec.id), meta, ...frames]);
}

describe('inspectDataFile', () => {
  it('yields the metadata record, then every fact with its offset, also across small chunks', async () => {
    const expected = [
      { kind: 'meta', meta: { type: 'wal', baseSeq: 0 }, offset: HEADER_BYTES },
      ...facts.map((fact, i) => ({ kind: 'fact', fact, offset: starts[i] })),
    ];
    expect(await inspect(logBytes())).toEqual(expected);
    expect(await inspect(logBytes(), 64)).toEqual(expected);
  });

  it('reports a length damaged to run past the end, and goes on at the next intact frame', async () => {
    const bytes = logBytes();
    const second = starts[1] as number;
    bytes.writeUInt32BE(100_000, second);
    const entries = await inspect(bytes);
    expect(entries.map((e) => [e.kind, e.offset])).toEqual([
      ['meta', HEADER_BYTES],
      ['fact', starts[0]],
      ['damage', second],
      ['fact', starts[2]],
    ]);
    expect(entries[2]).toMatchObject({
      message: expect.stringContaining(
        `the frame at byte ${second} runs past the end of the file; the next intact frame is at byte ${starts[2]}`,
      ),
    });
  });

  it('reports a torn tail and stops there', async () => {
    const bytes = logBytes().subarray(0, (starts[2] as number) + 7);
    const entries = await inspect(bytes);
    expect(entries.map((e) => [e.kind, e.offset])).toEqual([
      ['meta', HEADER_BYTES],
      ['fact', starts[0]],
      ['fact', starts[1]],
      ['damage', starts[2]],
    ]);
    expect(entries[3]).toMatchObject({
      message: expect.stringContaining(
        `torn tail: the file ends inside the frame at byte ${starts[2]} (7 bytes)`,
      ),
    });
  });

  it('reports a file of another kind at offset 0 and reads nothing more', async () => {
    const bytes = Buffer.concat([encodeHeader(FileKind.snapshot, jsonFactCodec.id), meta, ...frames]);
    const entries = await inspect(bytes);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'damage', offset: 0 });
  });

  it('reports an intact frame whose body is not a fact, and goes on', async () => {
    const bytes = Buffer.concat([
      encodeHeader(FileKind.wal, jsonFactCodec.id),
      meta,
      frames[0] as Buffer,
      encodeMetaFrame({ type: 'not a fact' }),
      frames[1] as Buffer,
    ]);
    const entries = await inspect(bytes);
    expect(entries.map((e) => e.kind)).toEqual(['meta', 'fact', 'damage', 'fact']);
    expect(entries[2]).toMatchObject({
      offset: starts[1],
      message: expect.stringContaining(
        `the frame at byte ${starts[1]} is intact but frame body is not a fact`,
      ),
    });
  });
});
