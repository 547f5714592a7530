import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeTextFrame, type FrameScan, HEADER_BYTES, scanFrameFile } from '@igniter/core/storage';
import { frameOffsets, patchFile, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';

const temp = useTempDir('igniter-reader-thread-');

/** A file of a 16-byte header and `count` frames of varied sizes (a 70 KiB one among them). */
function frameFile(count: number): string {
  const path = join(temp.dir(), 'frames.bin');
  const frames: Buffer[] = [Buffer.alloc(HEADER_BYTES, 7)];
  for (let i = 0; i < count; i++) {
    const body = i === 5 ? 'x'.repeat(70_000) : `frame ${i} ${'y'.repeat(i % 37)}`;
    frames.push(encodeTextFrame(body));
  }
  writeFileSync(path, Buffer.concat(frames));
  return path;
}

interface Seen {
  scan: FrameScan;
  frames: string[];
}

/** Scans `path` on the reader thread or on the calling thread alone; `rejectAt` declines that frame. */
function scan(path: string, thread: boolean, rejectAt = -1): Seen {
  const frames: string[] = [];
  const fd = openSync(path, 'r');
  try {
    const result = scanFrameFile(fd, {
      start: HEADER_BYTES,
      maxFrameBytes: 100_000,
      wholeFile: thread,
      readerThreadMinBytes: 0,
      onFrame(buf, bodyStart, bodyEnd, offset) {
        // The reader thread hands over frames in shared memory; the calling thread alone does not.
        expect(buf.buffer instanceof SharedArrayBuffer).toBe(thread);
        if (frames.length === rejectAt) return false;
        frames.push(`${offset}:${buf.toString('utf8', bodyStart, bodyEnd)}`);
        return true;
      },
    });
    return { scan: result, frames };
  } finally {
    closeSync(fd);
  }
}

/** Both ways of scanning agree, and the thread's answer is `expected`. */
function expectSame(path: string, expected: Partial<FrameScan>, rejectAt = -1): Seen {
  const threaded = scan(path, true, rejectAt);
  expect(threaded).toEqual(scan(path, false, rejectAt));
  expect(threaded.scan).toMatchObject(expected);
  return threaded;
}

describe('scanning a frame file with a reader thread', () => {
  it('hands over every frame of an intact file, in order', () => {
    const path = frameFile(200);
    const { starts, end } = frameOffsets(path);
    const seen = expectSame(path, { end, damage: null });
    expect(seen.frames).toHaveLength(200);
    expect(seen.frames[5]?.startsWith(`${starts[5]}:xxx`)).toBe(true);
  });

  it('stops where the file is cut, at every byte of its last three frames', () => {
    const path = frameFile(40);
    const whole = readFileSync(path);
    const { starts } = frameOffsets(path);
    for (let cut = starts[37] as number; cut < whole.length; cut++) {
      writeFileSync(path, whole.subarray(0, cut));
      // Frames wholly before the cut are intact; the scan ends where the first cut one starts.
      const intact = starts.filter((_, i) => (starts[i + 1] ?? whole.length) <= cut).length;
      const last = starts[intact] as number;
      expectSame(path, {
        end: last,
        damage: cut === last ? null : { offset: last, reason: 'incomplete', nextFrameAt: null },
      });
    }
  });

  it('reports a bad CRC, an oversized length and a zero-filled block as the calling thread does', () => {
    const path = frameFile(50);
    const { starts } = frameOffsets(path);
    const at = (i: number) => starts[i] as number;
    const whole = readFileSync(path);
    patchFile(path, (starts[10] as number) + 6, Buffer.from([0x7a]));
    expectSame(path, { end: at(10), damage: { offset: at(10), reason: 'bad-crc', nextFrameAt: at(11) } });
    writeFileSync(path, whole);
    patchFile(path, starts[20] as number, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expectSame(path, { end: at(20), damage: { offset: at(20), reason: 'too-large', nextFrameAt: at(21) } });
    writeFileSync(path, whole);
    patchFile(path, starts[30] as number, Buffer.alloc(8));
    expectSame(path, { end: at(30), damage: { offset: at(30), reason: 'empty', nextFrameAt: at(31) } });
  });

  it('stops at a frame the caller declines, and at a file that is only a header', () => {
    const path = frameFile(30);
    const { starts } = frameOffsets(path);
    const at12 = starts[12] as number;
    const seen = expectSame(
      path,
      { end: at12, damage: { offset: at12, reason: 'rejected', nextFrameAt: at12 } },
      12,
    );
    expect(seen.frames).toHaveLength(12);
    truncateSync(path, HEADER_BYTES);
    expectSame(path, { end: HEADER_BYTES, damage: null });
  });

  it('passes on what the caller throws', () => {
    const path = frameFile(30);
    const fd = openSync(path, 'r');
    try {
      expect(() =>
        scanFrameFile(fd, {
          start: HEADER_BYTES,
          maxFrameBytes: 100_000,
          wholeFile: true,
          readerThreadMinBytes: 0,
          onFrame: () => {
            throw new Error('caller failed');
          },
        }),
      ).toThrow('caller failed');
    } finally {
      closeSync(fd);
    }
  });

  it('runs its thread in a process started with --input-type=module', () => {
    const path = frameFile(50);
    const script = `
      import { openSync } from 'node:fs';
      import { HEADER_BYTES, scanFrameFile } from '@igniter/core/storage';
      let frames = 0;
      let shared = 0;
      scanFrameFile(openSync(${JSON.stringify(path)}, 'r'), {
        start: HEADER_BYTES, maxFrameBytes: 100000, wholeFile: true, readerThreadMinBytes: 0,
        onFrame(buf) { frames++; if (buf.buffer instanceof SharedArrayBuffer) shared++; return true; },
      });
      console.log(frames, shared);`;
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('50 50');
  });
});
