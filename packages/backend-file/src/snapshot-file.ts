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
  PreloadedLog,
  readFullySync,
  readHeader,
  scanFrameFile,
} from '@igniter/core/storage';
import { type DeferringSink, sinkFor } from './fact-sink.js';
import { DECODE_FALLBACK, replaySnapshotNative } from './native-open.js';
import { damagedSnapshotHeader, isIntactHeader } from './snapshot-damage.js';
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
 * Writes a snapshot file fact by fact, crash-safely: the bytes go to a temp file that
 * {@link commit} fsyncs and renames over `path` (then fsyncs the directory); {@link abort} leaves
 * `path` as it was. The metadata record declares `lastSeq` and the fact count up front.
 */
export class SnapshotFileWriter {
  readonly tally = new StoreTally();
  private readonly file: AtomicFileWriter;
  private previous = 0;
  private added = 0;

  /**
   * Creates the temp file and writes the header and metadata record. Throws the system error
   * of a failed create or write. Cost: one open(2).
   */
  constructor(
    path: string,
    private readonly lastSeq: number,
    private readonly factCount: number,
    private readonly codec: FactCodec,
    private readonly maxFrameBytes: number,
  ) {
    this.file = new AtomicFileWriter(path);
    try {
      this.file.write(encodeHeader(FileKind.snapshot, codec.id));
      this.file.write(encodeMetaFrame({ type: 'snapshot', lastSeq, factCount }));
    } catch (error) {
      this.file.abort();
      throw error;
    }
  }

  /** Bytes written so far. */
  get size(): number {
    return this.file.size;
  }

  /**
   * Appends one fact. Throws `ERR_INVALID_ARGUMENT` for a malformed fact, one out of seq order,
   * above `lastSeq` or past the declared count, `ERR_VALUE_TOO_LARGE` for a frame over
   * `maxFrameBytes`, and the system error of a failed write (then call {@link abort}).
   * Cost: one encode; a write(2) per MiB.
   */
  add(fact: Fact): void {
    const frame = this.codec.frame(fact);
    if (fact.seq <= this.previous || fact.seq > this.lastSeq || this.added >= this.factCount) {
      throw new IgniterError(
        'ERR_INVALID_ARGUMENT',
        `snapshot facts must be ${this.factCount}, in increasing seq order and at most lastSeq ${this.lastSeq}; got seq ${fact.seq} after ${this.previous}`,
      );
    }
    if (frame.length - 8 > this.maxFrameBytes) {
      throw new IgniterError(
        'ERR_VALUE_TOO_LARGE',
        `fact ${fact.id} needs a frame over ${this.maxFrameBytes} bytes`,
      );
    }
    this.previous = fact.seq;
    this.added += 1;
    this.file.write(frame);
    this.tally.add(fact.store, frame.length);
  }

  /**
   * Makes the snapshot durable at `path`. Throws `ERR_INVALID_ARGUMENT` when fewer facts than
   * declared were added, and the system error of a failed write, fsync or rename (the temp file
   * is removed). Cost: two fsyncs.
   */
  commit(): { tally: StoreTally; size: number } {
    if (this.added !== this.factCount) {
      this.abort();
      throw new IgniterError(
        'ERR_INVALID_ARGUMENT',
        `the snapshot declares ${this.factCount} facts but got ${this.added}`,
      );
    }
    const size = this.file.size;
    this.file.commit();
    return { tally: this.tally, size };
  }

  /** Removes the temp file, leaving `path` as it was. Never throws. */
  abort(): void {
    this.file.abort();
  }
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
  const file = new SnapshotFileWriter(path, lastSeq, facts.length, codec, maxFrameBytes);
  try {
    for (const fact of facts) file.add(fact);
  } catch (error) {
    file.abort();
    throw error;
  }
  return file.commit();
}

/**
 * Reads the snapshot at `path`, or returns undefined when there is none. A snapshot is written
 * whole before it is renamed into place, so any damage is corruption, never a torn tail.
 * Throws `ERR_UNSUPPORTED_FORMAT` for a file that is not an Igniter snapshot and
 * `ERR_CORRUPT_LOG` (naming the file and offset) for a damaged one. With `preloaded`, the
 * facts load into that native log or are indexed into that sink (`facts` and `tally` are then
 * empty), or it returns {@link DECODE_FALLBACK} when that reader declines the file.
 * Cost: one read and decode of the file (one read and an index pass with a sink).
 */
export function readSnapshotFile(path: string, maxFrameBytes: number): SnapshotContents | undefined;
export function readSnapshotFile(
  path: string,
  maxFrameBytes: number,
  preloaded: PreloadedLog | DeferringSink | undefined,
): SnapshotContents | undefined | typeof DECODE_FALLBACK;
export function readSnapshotFile(
  path: string,
  maxFrameBytes: number,
  preloaded?: PreloadedLog | DeferringSink,
): SnapshotContents | undefined | typeof DECODE_FALLBACK {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    if (!(preloaded instanceof PreloadedLog)) return readOpenSnapshot(fd, path, maxFrameBytes, preloaded);
    readSnapshotHeader(fd, path);
    const replayed = replaySnapshotNative(preloaded, path, maxFrameBytes);
    return replayed === DECODE_FALLBACK ? replayed : { ...replayed, facts: [] };
  } finally {
    fs.closeSync(fd);
  }
}

/** The codec of the snapshot open as `fd`; throws `ERR_UNSUPPORTED_FORMAT` for a foreign header. */
function readSnapshotHeader(fd: number, path: string): FactCodec {
  const head = Buffer.alloc(HEADER_BYTES);
  const headBytes = readFullySync(fd, head, 0, HEADER_BYTES, 0);
  try {
    const { codec: codecId } = readHeader(head.subarray(0, headBytes), path, FileKind.snapshot, CODEC_IDS);
    return FACT_CODECS.get(codecId) as FactCodec;
  } catch (error) {
    // Only Igniter writes the snapshot next to a log: a header that fails its CRC was damaged.
    if (isIntactHeader(head.subarray(0, headBytes))) throw error;
    throw damagedSnapshotHeader(path, error);
  }
}

function readOpenSnapshot(
  fd: number,
  path: string,
  maxFrameBytes: number,
  deferring?: DeferringSink,
): SnapshotContents | typeof DECODE_FALLBACK {
  const codec = readSnapshotHeader(fd, path);
  const sink = sinkFor(codec, deferring);
  if (!sink) return DECODE_FALLBACK;
  let lastSeq = -1;
  let factCount = 0;
  let kept = 0;
  let previous = 0;
  let problem: { why: string; cause?: unknown } | undefined;
  const scan = scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    wholeFile: sink.keepsBuffer,
    onFrame(buf, bodyStart, bodyEnd, offset) {
      try {
        if (lastSeq < 0) {
          const meta = decodeMetaFrame(buf, bodyStart, bodyEnd, 'snapshot');
          lastSeq = metaCount(meta, 'lastSeq');
          factCount = metaCount(meta, 'factCount');
          return true;
        }
        const seq = sink.stage(buf, bodyStart, bodyEnd, offset);
        if (seq <= previous || seq > lastSeq) {
          problem = { why: `seq ${seq} after ${previous} (snapshot lastSeq ${lastSeq})` };
          return false;
        }
        sink.commit();
        previous = seq;
        kept++;
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
  if (kept !== factCount) {
    throw inconsistentLog(path, `the snapshot declares ${factCount} facts but holds ${kept}`);
  }
  return {
    lastSeq,
    facts: sink.facts,
    tally: sink.tally,
    size: scan.size,
  };
}
