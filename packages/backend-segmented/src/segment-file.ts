import * as fs from 'node:fs';
import type { Fact } from '@igniter/core';
import {
  AtomicFileWriter,
  type BatchSpan,
  crc32,
  decodeMetaFrame,
  encodeHeader,
  encodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  FileKind,
  type FrameScan,
  HEADER_BYTES,
  markerFrameBytes,
  metaCount,
  readFullySync,
  readHeader,
  scanFrameFile,
} from '@igniter/core/storage';
import type { SegmentSummary } from './records.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/** What the first record of a segment file says it is. */
export interface SegmentHead {
  store: string;
  segment: number;
  generation: number;
}

/** The outcome of {@link scanSegment}. */
export interface SegmentScan {
  /** The segment's metadata record; undefined when it is damaged (then `scan.damage` says where). */
  head: SegmentHead | undefined;
  /** The header's format version (2 when the segment may hold batch markers). */
  version: number;
  codec: FactCodec;
  /** The intact facts that `keep` accepted, in seq order. */
  facts: Fact[];
  /** Figures of the intact prefix (every intact fact, kept or not). */
  summary: SegmentSummary;
  scan: FrameScan;
  /** Why a frame was rejected, when one was. */
  problem: { why: string; cause?: unknown } | undefined;
  /** The segment's parts of batches (whole within this file), by offset of their marker. */
  parts: BatchPart[];
}

/** A segment's part of a `writeMany` batch: where its marker is, its facts, and the whole batch. */
export interface BatchPart {
  offset: number;
  count: number;
  span: BatchSpan;
}

/** The header and metadata record that start the segment file of `head`. */
export function segmentHeadBytes(codec: FactCodec, head: SegmentHead): Buffer {
  return Buffer.concat([
    encodeHeader(FileKind.segment, codec.id),
    encodeMetaFrame({
      type: 'segment',
      store: head.store,
      segment: head.segment,
      generation: head.generation,
    }),
  ]);
}

/**
 * Creates the segment file `path` holding only its header and metadata record, crash-safely
 * (temp file, fsync, rename, directory fsync), and opens it for appending. Returns the open
 * descriptor, the file size and the CRC-32 of its bytes so far. Throws the system error of a
 * failed write. Cost: two fsyncs.
 */
export function createSegmentFile(
  path: string,
  head: SegmentHead,
  codec: FactCodec,
): { fd: number; size: number; checksum: number } {
  const bytes = segmentHeadBytes(codec, head);
  const file = new AtomicFileWriter(path);
  try {
    file.write(bytes);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  return { fd: fs.openSync(path, 'r+'), size: bytes.length, checksum: crc32(bytes) };
}

/**
 * Writes a whole sealed segment (header, metadata record, `frames`) crash-safely: temp file,
 * fsync, rename, directory fsync. Returns its size and CRC-32. Throws the system error of a
 * failed write (no file is left then). Cost: one write of the frames, two fsyncs.
 */
export function writeSegmentFile(
  path: string,
  head: SegmentHead,
  codec: FactCodec,
  frames: readonly Buffer[],
): { size: number; checksum: number } {
  const bytes = segmentHeadBytes(codec, head);
  let checksum = crc32(bytes);
  const file = new AtomicFileWriter(path);
  try {
    file.write(bytes);
    for (const frame of frames) {
      file.write(frame);
      checksum = crc32(frame, checksum);
    }
    const size = file.size;
    file.commit();
    return { size, checksum };
  } catch (error) {
    file.abort();
    throw error;
  }
}

function parseHead(buf: Uint8Array, start: number, end: number): SegmentHead {
  const meta = decodeMetaFrame(buf, start, end, 'segment');
  if (typeof meta.store !== 'string' || meta.store.length === 0) {
    throw new Error('segment metadata has no store name');
  }
  return {
    store: meta.store,
    segment: metaCount(meta, 'segment'),
    generation: metaCount(meta, 'generation'),
  };
}

/**
 * Reads and checks the segment file open as `fd` (named `path` in errors): its header, its
 * metadata record and every fact frame, keeping the facts `keep` accepts. Stops at the first
 * damaged or unusable frame (a fact of another store, a seq that does not increase) and says
 * where in `scan.damage`; never throws for damaged frames.
 * Throws `ERR_UNSUPPORTED_FORMAT` for a file that is not an Igniter segment (or a codec this
 * build does not read), `ERR_CORRUPT_LOG` for a damaged header, and system errors.
 * Cost: one sequential read, decode and two CRC passes over the file.
 */
export function scanSegment(
  fd: number,
  path: string,
  maxFrameBytes: number,
  keep: ((fact: Fact) => boolean) | undefined,
): SegmentScan {
  const header = Buffer.alloc(HEADER_BYTES);
  const got = readFullySync(fd, header, 0, HEADER_BYTES, 0);
  const { version, codec: codecId } = readHeader(header.subarray(0, got), path, FileKind.segment, CODEC_IDS);
  const codec = FACT_CODECS.get(codecId) as FactCodec;
  let checksum = crc32(header);
  let head: SegmentHead | undefined;
  let problem: SegmentScan['problem'];
  const facts: Fact[] = [];
  const parts: BatchPart[] = [];
  const summary: SegmentSummary = {
    factCount: 0,
    byteSize: 0,
    minSeq: null,
    maxSeq: null,
    minTime: null,
    maxTime: null,
    checksum: 0,
  };
  const scan = scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    onMarker(marker, offset) {
      if (marker.span) parts.push({ offset, count: marker.count, span: marker.span });
      // The file's CRC-32 covers the marker frames too.
      const frame = Buffer.allocUnsafe(markerFrameBytes(marker));
      readFullySync(fd, frame, 0, frame.length, offset);
      checksum = crc32(frame, checksum);
    },
    onFrame(buf, bodyStart, bodyEnd) {
      try {
        if (head === undefined) {
          head = parseHead(buf, bodyStart, bodyEnd);
        } else {
          const fact = codec.decode(buf, bodyStart, bodyEnd);
          if (fact.store !== head.store) throw new Error(`a fact of store ${JSON.stringify(fact.store)}`);
          if (summary.maxSeq !== null && fact.seq <= summary.maxSeq) {
            throw new Error(`seq ${fact.seq} does not follow seq ${summary.maxSeq}`);
          }
          summary.factCount += 1;
          summary.minSeq ??= fact.seq;
          summary.maxSeq = fact.seq;
          summary.minTime = Math.min(summary.minTime ?? fact.transactionTime, fact.transactionTime);
          summary.maxTime = Math.max(summary.maxTime ?? fact.transactionTime, fact.transactionTime);
          if (keep === undefined || keep(fact)) facts.push(fact);
        }
        checksum = crc32(buf.subarray(bodyStart - 4, bodyEnd + 4), checksum);
        return true;
      } catch (error) {
        problem = { why: error instanceof Error ? error.message : String(error), cause: error };
        return false;
      }
    },
  });
  summary.byteSize = scan.end;
  summary.checksum = checksum;
  return { head, version, codec, facts, summary, scan, problem, parts };
}

/**
 * {@link scanSegment} of the file at `path` (opened read-only and closed again).
 * Same throws and cost.
 */
export function scanSegmentFile(
  path: string,
  maxFrameBytes: number,
  keep: ((fact: Fact) => boolean) | undefined,
): SegmentScan {
  const fd = fs.openSync(path, 'r');
  try {
    return scanSegment(fd, path, maxFrameBytes, keep);
  } finally {
    fs.closeSync(fd);
  }
}
