import * as fs from 'node:fs';
import {
  BATCH_MARKER_FRAME_BYTES,
  type BatchMarker,
  batchIsWhole,
  markerFrameBytes,
  readBatchMarker,
} from './batch-marker.js';
import { FRAME_OVERHEAD, probeFrame } from './frame.js';
import { scanWithReaderThread } from './frame-reader-thread.js';
import { readFullySync } from './io.js';

/** Why a scan of a frame file stopped before its end. */
export type FrameDamageReason =
  /** The file ends inside the frame (or its length points past the end). */
  | 'incomplete'
  /** The frame's CRC-32 does not match its body. */
  | 'bad-crc'
  /** The frame's length is over the limit. */
  | 'too-large'
  /** A zero-length frame (data files never hold one; zero-filled blocks look like it). */
  | 'empty'
  /** The frame is intact but the caller could not use its body. */
  | 'rejected';

/** Where and why a scan stopped early. */
export interface FrameDamage {
  offset: number;
  reason: FrameDamageReason;
  /**
   * Offset of the first intact, non-empty frame after the damage, or null when none follows
   * (then the damage is a torn tail: a crash artefact, not corruption). A rejected frame is
   * itself intact, so it is its own offset.
   */
  nextFrameAt: number | null;
}

/** The outcome of {@link scanFrameFile}. */
export interface FrameScan {
  /** File size when the scan ran. */
  size: number;
  /** Offset just past the last frame the caller accepted. */
  end: number;
  damage: FrameDamage | null;
}

/** Options of {@link scanFrameFile}. */
export interface FrameScanOptions {
  /** Offset of the first frame (after the file header). */
  start: number;
  maxFrameBytes: number;
  /** Read size (default 16 MiB). */
  chunkBytes?: number;
  /**
   * Read the file from `start` to its end in one buffer, which `onFrame` may then keep: it is
   * never reused (`chunkBytes` is ignored). For files below 2 GiB.
   */
  wholeFile?: boolean;
  /**
   * With `wholeFile`, files with at least this many bytes after `start` are read and
   * CRC-checked on a worker thread while `onFrame` runs on the calling one (default 8 MiB;
   * below it starting the thread costs more than it saves).
   */
  readerThreadMinBytes?: number;
  /**
   * Called for every intact fact or metadata frame in order (never for a batch marker: a batch
   * that is not whole stops the scan at its marker, before any of its frames), with the body at `buf[bodyStart, bodyEnd)`; the
   * buffer is reused (unless `wholeFile`), so copy what you keep. Return false to stop: the frame is 'rejected'.
   */
  onFrame(buf: Buffer, bodyStart: number, bodyEnd: number, offset: number): boolean;
  /** Called for every whole batch marker, at `offset`, before the frames of its batch. */
  onMarker?(marker: BatchMarker, offset: number): void;
}

const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
const DEFAULT_READER_THREAD_MIN_BYTES = 8 * 1024 * 1024;
const SEARCH_WINDOW_BYTES = 1024 * 1024;

/**
 * Reads the frames of the open file `fd` from `options.start` to its end, calling `onFrame`
 * for each, and reports where the intact frames end and what stopped the scan. Never throws
 * for damaged data (only the system error of a failed read, or what `onFrame` throws).
 * Cost: one sequential read and one CRC pass over the file; after damage, a byte-by-byte
 * search of the rest for a following frame (cheap: most offsets fail on the length alone).
 */
export function scanFrameFile(fd: number, options: FrameScanOptions): FrameScan {
  const size = fs.fstatSync(fd).size;
  const { maxFrameBytes } = options;
  const { wholeFile = false } = options;
  const length = size - options.start;
  if (
    wholeFile &&
    length > 0 &&
    length >= (options.readerThreadMinBytes ?? DEFAULT_READER_THREAD_MIN_BYTES)
  ) {
    const batch: { broken: FrameDamage | null } = { broken: null };
    const scan = scanWithReaderThread(
      fd,
      options.start,
      length,
      maxFrameBytes,
      (data, bodyStart, bodyEnd) => {
        const offset = options.start + bodyStart - 4;
        const marker = readBatchMarker(data, bodyStart, bodyEnd);
        if (marker === null) return options.onFrame(data, bodyStart, bodyEnd, offset);
        if (batchIsWhole(fd, offset + markerFrameBytes(marker), marker, size, maxFrameBytes)) {
          options.onMarker?.(marker, offset);
          return true;
        }
        batch.broken = brokenBatch(fd, offset, marker, size, maxFrameBytes);
        return false;
      },
    );
    if (scan) {
      const offset = options.start + scan.stoppedAt;
      if (batch.broken) return { size, end: offset, damage: batch.broken };
      if (scan.damage === null) return { size, end: offset, damage: null };
      const nextFrameAt =
        scan.damage === 'rejected' ? offset : findNextFrame(fd, offset + 1, size, maxFrameBytes);
      return { size, end: offset, damage: { offset, reason: scan.damage, nextFrameAt } };
    }
  }
  const chunkBytes = wholeFile
    ? Math.max(0, size - options.start)
    : (options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  let chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(size, 16)));
  let base = options.start; // file offset of chunk[0]
  let filled = readFullySync(fd, chunk, 0, Math.min(chunk.length, Math.max(0, size - base)), base);
  let at = 0;
  const stop = (offset: number, reason: FrameDamageReason): FrameScan => ({
    size,
    end: offset,
    damage: {
      offset,
      reason,
      nextFrameAt: reason === 'rejected' ? offset : findNextFrame(fd, offset + 1, size, maxFrameBytes),
    },
  });
  for (;;) {
    const offset = base + at;
    if (offset >= size) return { size, end: offset, damage: null };
    const probe = probeFrame(chunk, at, maxFrameBytes, filled);
    if (probe.kind === 'frame') {
      if (probe.bodyEnd === probe.bodyStart) return stop(offset, 'empty');
      const marker = readBatchMarker(chunk, probe.bodyStart, probe.bodyEnd);
      if (marker !== null) {
        if (!batchIsWhole(fd, offset + markerFrameBytes(marker), marker, size, maxFrameBytes)) {
          return { size, end: offset, damage: brokenBatch(fd, offset, marker, size, maxFrameBytes) };
        }
        options.onMarker?.(marker, offset);
        at = probe.next;
        continue;
      }
      if (!options.onFrame(chunk, probe.bodyStart, probe.bodyEnd, offset)) return stop(offset, 'rejected');
      at = probe.next;
      continue;
    }
    if (probe.kind === 'too-large') return stop(offset, 'too-large');
    if (probe.kind === 'bad-crc') return stop(offset, 'bad-crc');
    // Incomplete in this chunk: at end of file it is damage, else read on.
    const needed = probe.needed ?? FRAME_OVERHEAD;
    // A whole-file buffer holds every byte there is: a frame not in it is not in the file.
    if (offset + needed > size || wholeFile) return stop(offset, 'incomplete');
    if (needed > chunk.length) {
      const bigger = Buffer.allocUnsafe(needed);
      chunk.copy(bigger, 0, at, filled);
      chunk = bigger;
    } else {
      chunk.copyWithin(0, at, filled);
    }
    filled -= at;
    base = offset;
    at = 0;
    const added = readFullySync(
      fd,
      chunk,
      filled,
      Math.min(chunk.length - filled, size - base - filled),
      base + filled,
    );
    // The file shrank under us (it should not, we hold its lock): what is left is a torn tail.
    if (added === 0) return stop(offset, 'incomplete');
    filled += added;
  }
}

/**
 * The damage of a batch that is not whole (see `batchIsWhole`), whose marker is at `offset`:
 * a torn tail (cut from the marker, so no frame of the batch is kept) unless an intact frame
 * lies after the batch's bytes, which makes it corruption. Throws only the system error of a
 * failed read. Cost: a search of the bytes after the batch.
 */
export function brokenBatch(
  fd: number,
  offset: number,
  marker: BatchMarker,
  size: number,
  maxFrameBytes: number,
): FrameDamage {
  const end = offset + markerFrameBytes(marker) + marker.bytes;
  return {
    offset,
    reason: 'incomplete',
    nextFrameAt: end >= size ? null : findNextFrame(fd, end, size, maxFrameBytes),
  };
}

/**
 * {@link brokenBatch} for the marker frame at `offset` of `fd` (which a native replay found
 * not whole). Throws only the system error of a failed read. Cost: as `brokenBatch`.
 */
export function brokenBatchAt(fd: number, offset: number, size: number, maxFrameBytes: number): FrameDamage {
  const frame = Buffer.alloc(BATCH_MARKER_FRAME_BYTES);
  readFullySync(fd, frame, 0, frame.length, offset);
  const probe = probeFrame(frame, 0, maxFrameBytes);
  const marker = probe.kind === 'frame' ? readBatchMarker(frame, probe.bodyStart, probe.bodyEnd) : null;
  if (marker === null)
    return { offset, reason: 'incomplete', nextFrameAt: findNextFrame(fd, offset + 1, size, maxFrameBytes) };
  return brokenBatch(fd, offset, marker, size, maxFrameBytes);
}

/**
 * Offset of the first intact, non-empty frame of `fd` at or after `from` (before `size`), or
 * null. Throws only the system error of a failed read. Cost: up to one read of the range.
 */
export function findNextFrame(fd: number, from: number, size: number, maxFrameBytes: number): number | null {
  const window = Buffer.allocUnsafe(SEARCH_WINDOW_BYTES);
  let base = from;
  while (base + FRAME_OVERHEAD < size) {
    const filled = readFullySync(fd, window, 0, Math.min(window.length, size - base), base);
    // Offsets whose 4 length bytes lie in this window; the next window starts after them.
    const last = filled - 4;
    for (let at = 0; at <= last; at++) {
      const length = window.readUInt32BE(at);
      const offset = base + at;
      if (length === 0 || length > maxFrameBytes || offset + length + FRAME_OVERHEAD > size) continue;
      if (at + length + FRAME_OVERHEAD <= filled) {
        if (probeFrame(window, at, maxFrameBytes, filled).kind === 'frame') return offset;
        continue;
      }
      const frame = Buffer.allocUnsafe(length + FRAME_OVERHEAD);
      readFullySync(fd, frame, 0, frame.length, offset);
      if (probeFrame(frame, 0, maxFrameBytes).kind === 'frame') return offset;
    }
    if (filled < window.length) break;
    base += last + 1;
  }
  return null;
}
