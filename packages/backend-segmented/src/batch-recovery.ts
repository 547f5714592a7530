import * as fs from 'node:fs';
import type { RecoveredCut } from '@igniter/core';
import { HEADER_BYTES, keepCutBytes, scanFrameFile } from '@igniter/core/storage';
import type { SegmentScan } from './segment-file.js';
import type { StoreSegments } from './store-segments.js';

/** A segment without a manifest, read and rid of its torn tail, not yet resumed. */
export interface UnsealedSegment {
  store: StoreSegments;
  segment: number;
  path: string;
  fd: number;
  scan: SegmentScan;
  /** The store's last segment (it stays live); the others are sealed once resumed. */
  last: boolean;
}

/**
 * The first seq of the earliest `writeMany` batch that is not whole on disk, or null when every
 * batch is (ARCHITECTURE.md, "The record format"). A batch is whole when the part markers in
 * the unsealed segments count all its facts, or when something durable was written after it:
 * a sealed or purged segment, or the catalog's last seq, reaching its first seq (every live
 * segment is made durable before a seal or a rewrite, so such a batch was all on disk).
 * Cost: O(parts + segments).
 */
export function firstIncompleteBatch(
  unsealed: readonly UnsealedSegment[],
  stores: Iterable<StoreSegments>,
  catalogLastSeq: number,
): number | null {
  let durable = catalogLastSeq;
  for (const store of stores) {
    for (const s of [...store.sealed, ...store.purged]) durable = Math.max(durable, s.maxSeq ?? 0);
  }
  const found = new Map<number, { total: number; count: number }>();
  for (const { scan } of unsealed) {
    for (const part of scan.parts) {
      const seen = found.get(part.span.firstSeq) ?? { total: part.span.total, count: 0 };
      seen.count += part.count;
      found.set(part.span.firstSeq, seen);
    }
  }
  let first: number | null = null;
  for (const [seq, { total, count }] of found) {
    if (count < total && seq > durable && (first === null || seq < first)) first = seq;
  }
  return first;
}

/**
 * Cuts every fact from seq `from` on (and the marker of a part that starts there) off the
 * unsealed segment `u`, copying the bytes to a side file first (reason `'incomplete'`).
 * Returns the cut, or null when the segment holds no such fact. Throws the system error of a
 * failed read, copy, truncate or fsync (nothing is cut when the copy fails).
 * Cost: one read and decode of the segment, one copy of the cut bytes, three fsyncs.
 */
export function cutFrom(u: UnsealedSegment, from: number, maxFrameBytes: number): RecoveredCut | null {
  const { scan, fd, path } = u;
  if (scan.summary.maxSeq === null || scan.summary.maxSeq < from) return null;
  let head = true;
  let marker: number | null = null;
  let at: number | null = null;
  scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    onMarker(_marker, offset) {
      marker = offset;
    },
    onFrame(buf, bodyStart, bodyEnd, offset) {
      if (head) {
        head = false;
        return true;
      }
      if (scan.codec.decode(buf, bodyStart, bodyEnd).seq >= from) {
        at = marker ?? offset;
        return false;
      }
      marker = null;
      return true;
    },
  });
  if (at === null) return null;
  let lastIntactSeq = 0;
  for (const fact of scan.facts) if (fact.seq < from) lastIntactSeq = fact.seq;
  const cut = keepCutBytes(fd, path, at, scan.scan.end, lastIntactSeq, 'incomplete');
  fs.ftruncateSync(fd, at);
  fs.fsyncSync(fd);
  return cut;
}
