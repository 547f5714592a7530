import { crc32 } from './crc32.js';
import { FRAME_OVERHEAD, probeFrame } from './frame.js';
import { readFullySync } from './io.js';

/**
 * The batch marker of a write-ahead log (ARCHITECTURE.md, "The record format"): a frame before
 * the frames of a `writeMany` batch of two or more facts, saying how many follow and how many
 * bytes they take, so that a reader takes the batch whole or not at all. Its body is
 * `u8 0xBA | u8 1 | u16 0 | u32 BE count | u64 BE bytes | u32 BE bytes of the last frame`
 * (20 bytes; no fact or metadata body is 20 bytes starting with 0xBA, which is not JSON).
 */
export const BATCH_MARKER_BODY_BYTES = 20;
/** The marker's whole frame. */
export const BATCH_MARKER_FRAME_BYTES = BATCH_MARKER_BODY_BYTES + FRAME_OVERHEAD;
const TAG = 0xba;
const MARKER_VERSION = 1;

/** What a batch marker says about the frames after it. */
export interface BatchMarker {
  /** Frames in the batch (at least 2). */
  count: number;
  /** Bytes of those frames, framing included. */
  bytes: number;
  /** Bytes of the batch's last frame, framing included. */
  lastFrameBytes: number;
}

/**
 * The marker frame of a batch of `count` frames taking `bytes` bytes, the last `lastFrameBytes`.
 * Never throws. Cost: constant.
 */
export function encodeBatchMarker(count: number, bytes: number, lastFrameBytes: number): Buffer {
  const frame = Buffer.alloc(BATCH_MARKER_FRAME_BYTES);
  frame.writeUInt32BE(BATCH_MARKER_BODY_BYTES, 0);
  frame.writeUInt8(TAG, 4);
  frame.writeUInt8(MARKER_VERSION, 5);
  frame.writeUInt32BE(count, 8);
  frame.writeBigUInt64BE(BigInt(bytes), 12);
  frame.writeUInt32BE(lastFrameBytes, 20);
  frame.writeUInt32BE(crc32(frame.subarray(4, 4 + BATCH_MARKER_BODY_BYTES)), 4 + BATCH_MARKER_BODY_BYTES);
  return frame;
}

/**
 * The marker in the (CRC-checked) body `buf[start, end)`, or null when the body is not a
 * marker. Cost: constant.
 */
export function readBatchMarker(buf: Uint8Array, start: number, end: number): BatchMarker | null {
  if (end - start !== BATCH_MARKER_BODY_BYTES || buf[start] !== TAG || buf[start + 1] !== MARKER_VERSION) {
    return null;
  }
  const view = Buffer.from(buf.buffer, buf.byteOffset + start, BATCH_MARKER_BODY_BYTES);
  const count = view.readUInt32BE(4);
  const bytes = Number(view.readBigUInt64BE(8));
  const lastFrameBytes = view.readUInt32BE(16);
  if (count < 2 || lastFrameBytes < FRAME_OVERHEAD || bytes < lastFrameBytes) return null;
  return { count, bytes, lastFrameBytes };
}

/**
 * The frames of a batch as the log writes them: `frames` alone for one frame, else their
 * marker and then the frames, in one buffer. Never throws. Cost: one copy of the frames.
 */
export function batchBytes(frames: readonly Buffer[]): Buffer {
  if (frames.length === 1) return frames[0] as Buffer;
  let bytes = 0;
  for (const frame of frames) bytes += frame.length;
  const last = frames.at(-1) as Uint8Array;
  return Buffer.concat([encodeBatchMarker(frames.length, bytes, last.length), ...frames]);
}

/**
 * Whether the batch whose marker frame ends at `first` (in the file open as `fd`, of `size`
 * bytes) is whole: its bytes are all there and its last frame is intact. A damaged frame
 * inside a whole batch is found by the scan that reads it, like any damaged frame followed by
 * an intact one. Throws only the system error of a failed read. Cost: one read and one CRC
 * pass of the last frame.
 */
export function batchIsWhole(
  fd: number,
  first: number,
  marker: BatchMarker,
  size: number,
  maxFrameBytes: number,
): boolean {
  const end = first + marker.bytes;
  if (end > size) return false;
  const last = Buffer.allocUnsafe(marker.lastFrameBytes);
  if (readFullySync(fd, last, 0, last.length, end - last.length) !== last.length) return false;
  const probe = probeFrame(last, 0, maxFrameBytes);
  return probe.kind === 'frame' && probe.next === last.length && probe.bodyEnd > probe.bodyStart;
}
