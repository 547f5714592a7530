import * as fs from 'node:fs';
import { type Fact, IgniterError } from '@igniter/core';
import {
  AtomicFileWriter,
  corruptLog,
  decodeMetaFrame,
  encodeHeader,
  encodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  FileKind,
  HEADER_BYTES,
  inconsistentLog,
  metaCount,
  readFullySync,
  readHeader,
  scanFrameFile,
} from '@igniter/core/storage';
import { StoreTally } from './store-tally.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/** A snapshot as read from disk. */
export interface SnapshotContents {
  /** The highest seq committed when it was taken (facts above it come from the log). */
  lastSeq: number;
  facts: Fact[];
  tally: StoreTally;
  /** File size in bytes. */
  size: number;
}

/**
 * Writes a snapshot of `facts` (seq order, all <= lastSeq) to `path` crash-safely: temp file,
 * fsync, rename, directory fsync. `<path>` keeps its old contents if this throws.
 * Throws `ERR_INVALID_ARGUMENT` for facts out of order or malformed (nothing is written) and the
 * system error of a failed write. Cost: one encode and one write of every fact, two fsyncs.
 */
export function writeSnapshotFile(
  path: string,
  facts: readonly Fact[],
  lastSeq: number,
  codec: FactCodec,
  maxFrameBytes: number,
): { tally: StoreTally; size: number } {
  const file = new AtomicFileWriter(path);
  const tally = new StoreTally();
  try {
    file.write(encodeHeader(FileKind.snapshot, codec.id));
    file.write(encodeMetaFrame({ type: 'snapshot', lastSeq, factCount: facts.length }));
    let previous = 0;
    for (const fact of facts) {
      const frame = codec.frame(fact);
      if (fact.seq <= previous || fact.seq > lastSeq) {
        throw new IgniterError(
          'ERR_INVALID_ARGUMENT',
          `snapshot facts must be in increasing seq order and at most lastSeq ${lastSeq}; got seq ${fact.seq} after ${previous}`,
        );
      }
      if (frame.length - 8 > maxFrameBytes) {
        throw new IgniterError(
          'ERR_VALUE_TOO_LARGE',
          `fact ${fact.id} needs a frame over ${maxFrameBytes} bytes`,
        );
      }
      previous = fact.seq;
      file.write(frame);
      tally.add(fact.store, frame.length);
    }
    const size = file.size;
    file.commit();
    return { tally, size };
  } catch (error) {
    file.abort();
    throw error;
  }
}

/**
 * Reads the snapshot at `path`, or returns undefined when there is none. A snapshot is written
 * whole before it is renamed into place, so any damage is corruption, never a torn tail.
 * Throws `ERR_UNSUPPORTED_FORMAT` for a file that is not an Igniter snapshot and
 * `ERR_CORRUPT_LOG` (naming the file and offset) for a damaged one.
 * Cost: one read and decode of the file.
 */
export function readSnapshotFile(path: string, maxFrameBytes: number): SnapshotContents | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return readOpenSnapshot(fd, path, maxFrameBytes);
  } finally {
    fs.closeSync(fd);
  }
}

function readOpenSnapshot(fd: number, path: string, maxFrameBytes: number): SnapshotContents {
  const head = Buffer.alloc(HEADER_BYTES);
  const headBytes = readFullySync(fd, head, 0, HEADER_BYTES, 0);
  const { codec: codecId } = readHeader(head.subarray(0, headBytes), path, FileKind.snapshot, CODEC_IDS);
  const codec = FACT_CODECS.get(codecId) as FactCodec;
  const facts: Fact[] = [];
  const tally = new StoreTally();
  let lastSeq = -1;
  let factCount = 0;
  let problem: { why: string; cause?: unknown } | undefined;
  const scan = scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    onFrame(buf, bodyStart, bodyEnd) {
      try {
        if (lastSeq < 0) {
          const meta = decodeMetaFrame(buf, bodyStart, bodyEnd, 'snapshot');
          lastSeq = metaCount(meta, 'lastSeq');
          factCount = metaCount(meta, 'factCount');
          return true;
        }
        const fact = codec.decode(buf, bodyStart, bodyEnd);
        const previous = facts.length > 0 ? (facts[facts.length - 1] as Fact).seq : 0;
        if (fact.seq <= previous || fact.seq > lastSeq) {
          problem = { why: `seq ${fact.seq} after ${previous} (snapshot lastSeq ${lastSeq})` };
          return false;
        }
        facts.push(fact);
        tally.add(fact.store, bodyEnd - bodyStart + 8);
        return true;
      } catch (error) {
        problem = { why: error instanceof Error ? error.message : String(error), cause: error };
        return false;
      }
    },
  });
  if (scan.damage) {
    throw corruptLog(path, scan.damage.offset, problem?.why ?? scan.damage.reason, problem?.cause, false);
  }
  if (lastSeq < 0) throw inconsistentLog(path, 'the snapshot has no metadata record', HEADER_BYTES);
  if (facts.length !== factCount) {
    throw inconsistentLog(path, `the snapshot declares ${factCount} facts but holds ${facts.length}`);
  }
  return { lastSeq, facts, tally, size: scan.size };
}
