import {
  BATCH_MARKER_FRAME_BYTES,
  batchBytes,
  batchPartBytes,
  encodeBatchMarker,
  markerFrameBytes,
  PART_MARKER_FRAME_BYTES,
  readBatchMarker,
} from '@igniter/core/storage';
import { describe, expect, it } from 'vitest';

const frame = (n: number): Buffer => {
  const body = Buffer.from(`[${'1'.repeat(n)}]`);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
};

/** The marker the frame at the start of `bytes` holds. */
const markerOf = (bytes: Buffer) => readBatchMarker(bytes, 4, 4 + bytes.readUInt32BE(0));

describe('batch markers', () => {
  it('keeps the version 1 marker bytes of a log batch exactly', () => {
    const frames = [frame(3), frame(5)];
    const bytes = batchBytes(frames);
    expect(bytes.subarray(0, BATCH_MARKER_FRAME_BYTES)).toEqual(encodeBatchMarker(2, 28, 15));
    expect(bytes.subarray(0, 8).toString('hex')).toBe('00000014ba010000');
    expect(markerOf(bytes)).toEqual({ count: 2, bytes: 28, lastFrameBytes: 15 });
  });

  it('reads back a part marker with its batch span, also for a part of one fact', () => {
    const bytes = batchPartBytes([frame(4)], { firstSeq: 7, lastSeq: 9, total: 3 });
    const marker = markerOf(bytes);
    expect(marker).toEqual({
      count: 1,
      bytes: 14,
      lastFrameBytes: 14,
      span: { firstSeq: 7, lastSeq: 9, total: 3 },
    });
    expect(markerFrameBytes(marker as NonNullable<typeof marker>)).toBe(PART_MARKER_FRAME_BYTES);
    expect(bytes.length).toBe(PART_MARKER_FRAME_BYTES + 14);
    expect(bytes.subarray(4, 6).toString('hex')).toBe('ba02');
  });

  it('takes a part marker that cannot be (total below its count or 2, seqs reversed) for no marker', () => {
    for (const span of [
      { firstSeq: 1, lastSeq: 2, total: 1 },
      { firstSeq: 5, lastSeq: 4, total: 2 },
    ]) {
      expect(markerOf(batchPartBytes([frame(1)], span))).toBeNull();
    }
    expect(
      markerOf(batchPartBytes([frame(1), frame(2), frame(3)], { firstSeq: 1, lastSeq: 3, total: 2 })),
    ).toBeNull();
  });
});
