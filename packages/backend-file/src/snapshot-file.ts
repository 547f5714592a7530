import * as fs from 'node:fs';
import { type Fact, IgniterError } from '@igniter/core';
import {
  AtomicFileWriter,
  corruptLog,
  decodingFactReader,
  encodeHeader,
  encodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  type FactReader,
  FileKind,
  type FrameDamage,
  type FrameProblem,
  type FrameScan,
  HEADER_BYTES,
  type ImageRead,
  inconsistentLog,
  metaCount,
  readFullySync,
  readHeader,
} from '@igniter/core/storage';
import { readMetaRecord } from './meta-record.js';
import { damagedSnapshotHeader, isIntactHeader } from './snapshot-damage.js';
import { StoreTally } from './store-tally.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/**
 * The checkpoint image to try before reading a snapshot (native engine only): `outcome` is set
 * to 'used', or to why the image was refused (the snapshot was then read as usual). With
 * `logPath`, an image an earlier open wrote is taken too: it also covers the log's bytes up to
 * `logEnd` (set when used), whose facts it holds up to seq `maxSeq`.
 */
export interface SnapshotImage {
  path: string;
  outcome?: string;
  logPath?: string;
  logEnd?: number;
  maxSeq?: number;
  /** The counts of the facts the image holds (without a snapshot: those of the log prefix). */
  counts?: readonly { store: string; facts: number; bytes: number }[];
}

/** Records on `image` what opening it gave: 'used' and what it covers, or why it was refused. */
export function noteImageOpen(image: SnapshotImage, opened: ImageRead): void {
  image.outcome = opened.opened ? 'used' : opened.reason;
  if (!opened.opened) return;
  image.logEnd = opened.logEnd;
  image.maxSeq = opened.maxSeq;
  image.counts = opened.counts;
}

/** A snapshot as read from disk. */
export interface SnapshotContents {
  /** The highest seq committed when it was taken (facts above it come from the log). */
  lastSeq: number;
  facts: Fact[];
  tally: StoreTally;
  /** File size in bytes. */
  size: number;
  /** The fact count its metadata record declares. */
  factCount: number;
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
 * Reads the snapshot at `path` with `reader` (decoding by default), or returns undefined when
 * there is none. A snapshot is written whole before it is renamed into place, so any damage is
 * corruption, never a torn tail. Throws `ERR_UNSUPPORTED_FORMAT` for a file that is not an
 * Igniter snapshot and `ERR_CORRUPT_LOG` (naming the file and offset) for a damaged one.
 * `facts` holds the facts only when `reader` decodes (the others keep them). With `image`, a
 * reader that takes images (the native one) first tries the snapshot's checkpoint image and,
 * when it is intact and tied to this snapshot, reads no frame of it.
 * Cost: one read of the file, as `reader` reads it; with a usable image, the header and the
 * metadata record, then the image's open.
 */
export function readSnapshotFile(
  path: string,
  maxFrameBytes: number,
  reader: FactReader = decodingFactReader(),
  image?: SnapshotImage,
): SnapshotContents | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return readOpenSnapshot(fd, path, maxFrameBytes, reader, image);
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
  reader: FactReader,
  image: SnapshotImage | undefined,
): SnapshotContents {
  const codec = readSnapshotHeader(fd, path);
  const head = readMetaRecord(fd, maxFrameBytes, 'snapshot', (meta) => ({
    lastSeq: metaCount(meta, 'lastSeq'),
    factCount: metaCount(meta, 'factCount'),
  }));
  if (head.kind === 'none') throw inconsistentLog(path, 'the snapshot has no metadata record', HEADER_BYTES);
  if (head.kind === 'damaged') throw snapshotDamage(path, head.scan, head.problem);
  const { lastSeq, factCount } = head.value;
  if (image && reader.openImage) {
    const opened = reader.openImage(image.path, path, lastSeq, factCount, image.logPath);
    noteImageOpen(image, opened);
    if (opened.opened) {
      // An open's image also covers a log prefix: its tally is the snapshot's and the prefix's.
      const tally = StoreTally.fromCounts(opened.counts);
      return { lastSeq, facts: [], tally, size: fs.fstatSync(fd).size, factCount };
    }
  }
  const read = reader.read(fd, path, codec, {
    start: head.end,
    maxFrameBytes,
    afterSeq: 0,
    maxSeq: lastSeq,
    skipThrough: 0,
    seqProblem: (seq, previous) => `seq ${seq} after ${previous} (snapshot lastSeq ${lastSeq})`,
  });
  if (read.scan.damage) throw snapshotDamage(path, read.scan, read.problem);
  if (read.kept !== factCount) {
    throw inconsistentLog(path, `the snapshot declares ${factCount} facts but holds ${read.kept}`);
  }
  return {
    lastSeq,
    facts: read.facts,
    tally: StoreTally.fromCounts(read.counts),
    size: read.scan.size,
    factCount,
  };
}

/** `ERR_CORRUPT_LOG` for the damaged frame a scan of the snapshot at `path` stopped at. */
function snapshotDamage(path: string, scan: FrameScan, problem: FrameProblem | undefined): IgniterError {
  const damage = scan.damage as FrameDamage;
  return corruptLog(path, damage.offset, problem?.why ?? damage.reason, problem?.cause, false);
}
