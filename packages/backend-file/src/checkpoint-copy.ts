import * as fs from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  AtomicFileWriter,
  corruptLog,
  encodeHeader,
  encodeMetaFrame,
  type FactCodec,
  FileKind,
  HEADER_BYTES,
  inconsistentLog,
  probeFrame,
  readBatchMarker,
  readFullySync,
  tempPathFor,
} from '@igniter/core/storage';
import { readMetaRecord } from './meta-record.js';

/**
 * Bytes read per step of the copy. Each step checks the length and CRC of the frames it read on
 * the event loop (a few milliseconds per MiB at most); the reads and writes run on the libuv pool.
 */
const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Frames of a data file to copy: from `start` (the first fact frame) to `end`, read through `fd`,
 * opened when the checkpoint started, so that a file renamed over `path` since is not read.
 */
export interface FrameRange {
  path: string;
  fd: number;
  start: number;
  end: number;
}

/** What {@link copyToSnapshotTemp} needs. */
export interface SnapshotCopy {
  /** The snapshot path; the copy goes to a temp file next to it. */
  target: string;
  /** The frames to copy, in seq order: the old snapshot's, then the log's. */
  sources: FrameRange[];
  lastSeq: number;
  /** How many fact frames the sources hold together (declared in the metadata record). */
  factCount: number;
  codec: FactCodec;
  maxFrameBytes: number;
  /** False once the copy must be abandoned (a rewrite replaced the files, or the store closed). */
  current: () => boolean;
}

/**
 * The fact frames of the data file at `path` (a snapshot or a log, per `type`) start where its
 * metadata record ends: that offset (`fd` is the file open for reading). Throws `ERR_CORRUPT_LOG`
 * when the record is missing or damaged (open read it, so the file changed since).
 * Cost: one small read.
 */
export function factsStart(
  fd: number,
  path: string,
  type: 'snapshot' | 'wal',
  maxFrameBytes: number,
): number {
  const head = readMetaRecord(fd, maxFrameBytes, type, () => true);
  if (head.kind !== 'meta')
    throw inconsistentLog(path, 'its metadata record is gone or damaged', HEADER_BYTES);
  return head.end;
}

/**
 * Copies the fact frames of `copy.sources`, byte for byte, into a new snapshot temp file next to
 * `copy.target` (header, metadata record with `lastSeq` and `factCount`, then the frames),
 * checking every frame's length and CRC on the way, and fsyncs it. Returns the temp file and its
 * size for the caller to rename over the target, or undefined (temp file removed) when
 * `copy.current()` turned false. Rejects with `ERR_CORRUPT_LOG` naming the file and offset of a
 * damaged frame, or when the sources hold another number of frames than `factCount` (the temp
 * file is removed; nothing else changes), and with system errors.
 * Cost: one read and one write of every frame on the libuv pool, one CRC pass, one fsync.
 */
export async function copyToSnapshotTemp(
  copy: SnapshotCopy,
): Promise<{ tempPath: string; size: number } | undefined> {
  const tempPath = tempPathFor(copy.target);
  const out = await open(tempPath, 'wx');
  let done = false;
  try {
    const head = Buffer.concat([
      encodeHeader(FileKind.snapshot, copy.codec.id),
      encodeMetaFrame({ type: 'snapshot', lastSeq: copy.lastSeq, factCount: copy.factCount }),
    ]);
    await writeAll(out, head, 0);
    let size = head.length;
    let frames = 0;
    for (const range of copy.sources) {
      const copied = await copyFrames(range, out, size, copy).catch((error: unknown) => {
        // Files replaced meanwhile are not this checkpoint's business any more.
        if (copy.current()) throw error;
        return undefined;
      });
      if (!copied) return undefined;
      size += copied.bytes;
      frames += copied.frames;
    }
    if (frames !== copy.factCount) {
      throw inconsistentLog(
        copy.sources[copy.sources.length - 1]?.path ?? copy.target,
        `the snapshot and log hold ${frames} facts up to seq ${copy.lastSeq}, the store counted ${copy.factCount}`,
      );
    }
    await out.sync();
    if (!copy.current()) return undefined;
    done = true;
    return { tempPath, size };
  } finally {
    await out.close().catch(() => undefined);
    if (!done) fs.rmSync(tempPath, { force: true });
  }
}

/**
 * Copies the frames of `range` to `out` at `at`; undefined when the copy was abandoned. Reads
 * the next chunk while the last one is written (two buffers), so the pool keeps both busy.
 */
async function copyFrames(
  range: FrameRange,
  out: FileHandle,
  at: number,
  copy: SnapshotCopy,
): Promise<{ bytes: number; frames: number } | undefined> {
  const buffers: Buffer[] = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let writing: Promise<unknown> = Promise.resolve();
  let writeError: { error: unknown } | undefined;
  try {
    let pos = range.start;
    let frames = 0;
    for (let turn = 0; pos < range.end; turn ^= 1) {
      let buf = buffers[turn] as Buffer;
      const want = Math.min(buf.length, range.end - pos);
      const got = await readAll(range.fd, buf, want, pos);
      if (got < want) throw inconsistentLog(range.path, `the file ends at ${pos + got}, before ${range.end}`);
      let p = 0;
      for (;;) {
        const probe = probeFrame(buf, p, copy.maxFrameBytes, got);
        if (probe.kind === 'frame') {
          // Batch markers are copied too (the snapshot is written whole, so they stay true).
          if (readBatchMarker(buf, probe.bodyStart, probe.bodyEnd) === null) frames += 1;
          p = probe.next;
          continue;
        }
        if (probe.kind === 'incomplete' && pos + got < range.end) {
          // A frame runs past this chunk: the next read starts at it (a bigger buffer if needed).
          if (p === 0 && probe.needed !== null && probe.needed > buf.length) {
            buf = Buffer.allocUnsafe(probe.needed);
            buffers[turn ^ 1] = buf;
          }
          break;
        }
        if (p === got) break;
        throw damaged(range.path, pos + p, probe.kind);
      }
      await writing;
      if (writeError) throw writeError.error;
      if (!copy.current()) return undefined;
      if (p > 0) {
        writing = writeAll(out, buf.subarray(0, p), at + (pos - range.start)).catch((error: unknown) => {
          writeError = { error };
        });
      }
      pos += p;
    }
    await writing;
    if (writeError) throw writeError.error;
    return { bytes: range.end - range.start, frames };
  } finally {
    await writing;
  }
}

/** `ERR_CORRUPT_LOG` for the damaged frame at `offset` of `path` (`kind` as a scan names it). */
function damaged(path: string, offset: number, kind: string): Error {
  return corruptLog(path, offset, kind, undefined, false);
}

const readAsync = promisify(fs.read);

async function readAll(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await readAsync(fd, buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function writeAll(file: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Replaces the log at `path` with one continuing the snapshot at `baseSeq` that holds the frames
 * written to the old log from `from` to `to` (those above the snapshot), crash-safely (temp
 * file, fsync, rename, directory fsync). Throws the system error of a failed read or write (the
 * old log stays). Cost: one read and write of those frames, two fsyncs.
 */
export function replaceWalWithTail(
  path: string,
  from: number,
  to: number,
  baseSeq: number,
  codec: FactCodec,
): void {
  const tail = Buffer.allocUnsafe(to - from);
  const fd = fs.openSync(path, 'r');
  try {
    const got = readFullySync(fd, tail, 0, tail.length, from);
    if (got < tail.length) throw inconsistentLog(path, `the log ends at ${from + got}, before ${to}`);
  } finally {
    fs.closeSync(fd);
  }
  const file = new AtomicFileWriter(path);
  try {
    file.write(encodeHeader(FileKind.wal, codec.id));
    file.write(encodeMetaFrame({ type: 'wal', baseSeq }));
    file.write(tail);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}
