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
/**
 * Body of a segment's part marker (marker version 2): the version 1 fields, then
 * `u64 BE first seq | u64 BE last seq | u32 BE facts of the whole batch` (40 bytes), so that an
 * open can check across every segment that a batch spread over several is whole.
 */
export const PART_MARKER_BODY_BYTES = 40;
/** A part marker's whole frame. */
export const PART_MARKER_FRAME_BYTES = PART_MARKER_BODY_BYTES + FRAME_OVERHEAD;
const TAG = 0xba;
const MARKER_VERSION = 1;
const PART_MARKER_VERSION = 2;

/** What a batch marker says about the frames after it. */
export interface BatchMarker {
  /** Frames in the batch (at least 2). */
  count: number;
  /** Bytes of those frames, framing included. */
  bytes: number;
  /** Bytes of the batch's last frame, framing included. */
  lastFrameBytes: number;
  /** Of a part marker (a segment's part of a batch spread over segments): the whole batch. */
  span?: BatchSpan;
}

/** The whole batch a segment's part belongs to: its seqs and how many facts it has in all. */
export interface BatchSpan {
  firstSeq: number;
  lastSeq: number;
  total: number;
}

/** Bytes of the frame of `marker` (a part marker's is longer). Cost: constant. */
export function markerFrameBytes(marker: BatchMarker): number {
  return marker.span ? PART_MARKER_FRAME_BYTES : BATCH_MARKER_FRAME_BYTES;
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
  if (buf[start] !== TAG) return null;
  const length = end - start;
  const part = length === PART_MARKER_BODY_BYTES && buf[start + 1] === PART_MARKER_VERSION;
  if (!part && (length !== BATCH_MARKER_BODY_BYTES || buf[start + 1] !== MARKER_VERSION)) return null;
  const view = Buffer.from(buf.buffer, buf.byteOffset + start, length);
  const count = view.readUInt32BE(4);
  const bytes = Number(view.readBigUInt64BE(8));
  const lastFrameBytes = view.readUInt32BE(16);
  if (count < (part ? 1 : 2) || lastFrameBytes < FRAME_OVERHEAD || bytes < lastFrameBytes) return null;
  if (!part) return { count, bytes, lastFrameBytes };
  const span = {
    firstSeq: Number(view.readBigUInt64BE(20)),
    lastSeq: Number(view.readBigUInt64BE(28)),
    total: view.readUInt32BE(36),
  };
  if (span.total < 2 || span.total < count || span.lastSeq < span.firstSeq) return null;
  return { count, bytes, lastFrameBytes, span };
}

/**
 * A segment's part of a batch as the segmented backend writes it: the part marker of `span`
 * (see {@link PART_MARKER_BODY_BYTES}) and then `frames` (at least one), in one buffer. Never
 * throws. Cost: one copy of the frames.
 */
export function batchPartBytes(frames: readonly Buffer[], span: BatchSpan): Buffer {
  let bytes = 0;
  for (const frame of frames) bytes += frame.length;
  const marker = Buffer.alloc(PART_MARKER_FRAME_BYTES);
  marker.writeUInt32BE(PART_MARKER_BODY_BYTES, 0);
  marker.writeUInt8(TAG, 4);
  marker.writeUInt8(PART_MARKER_VERSION, 5);
  marker.writeUInt32BE(frames.length, 8);
  marker.writeBigUInt64BE(BigInt(bytes), 12);
  marker.writeUInt32BE((frames.at(-1) as Uint8Array).length, 20);
  marker.writeBigUInt64BE(BigInt(span.firstSeq), 24);
  marker.writeBigUInt64BE(BigInt(span.lastSeq), 32);
  marker.writeUInt32BE(span.total, 40);
  marker.writeUInt32BE(crc32(marker.subarray(4, 4 + PART_MARKER_BODY_BYTES)), 4 + PART_MARKER_BODY_BYTES);
  return Buffer.concat([marker, ...frames]);
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
