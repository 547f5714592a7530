import * as fs from 'node:fs';
import { type Fact, IgniterError, type RecoveredCut } from '@igniter/core';
import {
  AtomicFileWriter,
  corruptLog,
  decodingFactReader,
  encodeHeader,
  encodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  type FactReader,
  type FileHeader,
  FileKind,
  type FrameScan,
  HEADER_BYTES,
  inconsistentLog,
  isHeaderPrefix,
  keepCutBytes,
  metaCount,
  raiseHeaderVersion,
  readFullySync,
  readHeader,
  settleFrameDamage,
} from '@igniter/core/storage';
import { readMetaRecord } from './meta-record.js';
import { StoreTally } from './store-tally.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/** A write-ahead log opened for appending, with what it holds. */
export interface OpenedWal {
  /** Descriptor open for reading and writing; the caller closes it. */
  fd: number;
  /** Offset where the next frame goes. */
  end: number;
  /** The file's codec. */
  codec: FactCodec;
  /** Seq of the snapshot this log continues (0 for none). */
  baseSeq: number;
  /** Facts above the snapshot's seq, in seq order. */
  facts: Fact[];
  tally: StoreTally;
  /** Highest seq in the log, facts already in the snapshot included (at least baseSeq). */
  maxSeq: number;
  /** Bytes removed from the end on open: a torn tail, plus a quarantined rest. */
  recoveredTailBytes: number;
  /** The quarantine file written by a repair, if any. */
  quarantined: string | null;
  /** What open cut, with the side files that keep the cut bytes. */
  recovered: RecoveredCut[];
}

interface WalScan {
  header: FileHeader;
  codec: FactCodec;
  baseSeq: number;
  facts: Fact[];
  tally: StoreTally;
  maxSeq: number;
  scan: FrameScan;
  problem: { why: string; cause?: unknown } | undefined;
}

/**
 * Creates an empty log at `path` continuing the snapshot at `baseSeq`, crash-safely (temp
 * file, fsync, rename over any old log, directory fsync). Throws the system error of a failed
 * write. Cost: two fsyncs.
 */
export function createWal(path: string, baseSeq: number, codec: FactCodec): void {
  const file = new AtomicFileWriter(path);
  try {
    file.write(encodeHeader(FileKind.wal, codec.id));
    file.write(encodeMetaFrame({ type: 'wal', baseSeq }));
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

/** The header of the log open as `fd`; throws `ERR_UNSUPPORTED_FORMAT` for a foreign header. */
function readWalHeader(fd: number, path: string): FileHeader {
  const head = Buffer.alloc(HEADER_BYTES);
  const headBytes = readFullySync(fd, head, 0, HEADER_BYTES, 0);
  return readHeader(head.subarray(0, headBytes), path, FileKind.wal, CODEC_IDS);
}

function scanWal(
  fd: number,
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
  reader: FactReader,
  resume?: WalResume,
): WalScan {
  const header = readWalHeader(fd, path);
  const codec = FACT_CODECS.get(header.codec) as FactCodec;
  const head = readMetaRecord(fd, maxFrameBytes, 'wal', (meta) => metaCount(meta, 'baseSeq'));
  const empty = { header, codec, facts: [], tally: new StoreTally() };
  if (head.kind === 'none') {
    return {
      ...empty,
      baseSeq: -1,
      maxSeq: 0,
      scan: { size: HEADER_BYTES, end: HEADER_BYTES, damage: null },
      problem: undefined,
    };
  }
  if (head.kind === 'damaged')
    return { ...empty, baseSeq: -1, maxSeq: 0, scan: head.scan, problem: head.problem };
  const baseSeq = head.value;
  // Facts up to the snapshot's seq are in the snapshot, or were dropped by a prune that
  // crashed before it could cut this log: checked, not kept.
  const read = reader.read(fd, path, codec, {
    start: Math.max(head.end, resume?.start ?? 0),
    maxFrameBytes,
    afterSeq: Math.max(baseSeq, resume?.afterSeq ?? 0),
    maxSeq: Number.POSITIVE_INFINITY,
    skipThrough: snapshotSeq,
    seqProblem: (seq, previous) => `seq ${seq} does not follow seq ${previous}`,
  });
  return {
    header,
    codec,
    baseSeq,
    facts: read.facts,
    tally: StoreTally.fromCounts(read.counts),
    maxSeq: read.maxSeq,
    scan: read.scan,
    problem: read.problem,
  };
}

function checkBase(path: string, baseSeq: number, snapshotSeq: number | null): void {
  if (baseSeq < 0) throw inconsistentLog(path, 'the log has no metadata record', HEADER_BYTES);
  if (baseSeq > 0 && snapshotSeq === null) {
    throw inconsistentLog(
      path,
      `the log continues a snapshot at seq ${baseSeq}, but ${path}.snapshot is missing`,
    );
  }
  if (snapshotSeq !== null && snapshotSeq < baseSeq) {
    throw inconsistentLog(
      path,
      `the log continues a snapshot at seq ${baseSeq}, but ${path}.snapshot is older (seq ${snapshotSeq})`,
    );
  }
}

/**
 * Reads the log at `path` again (after open, for a filtered replay): every fact above
 * `snapshotSeq`. Throws `ERR_CORRUPT_LOG` for any damage. Cost: one read of the file.
 */
export function rereadWal(path: string, snapshotSeq: number, maxFrameBytes: number): Fact[] {
  return rescanWal(path, snapshotSeq, maxFrameBytes).facts;
}

function rescanWal(path: string, snapshotSeq: number, maxFrameBytes: number): WalScan {
  const fd = fs.openSync(path, 'r');
  try {
    const wal = scanWal(fd, path, snapshotSeq, maxFrameBytes, decodingFactReader());
    const damage = wal.scan.damage;
    if (damage)
      throw corruptLog(path, damage.offset, wal.problem?.why ?? damage.reason, wal.problem?.cause, false);
    return wal;
  } finally {
    fs.closeSync(fd);
  }
}

/** Where to read a log from when an image already holds its first frames. */
export interface WalResume {
  /** Offset just past the frames the image holds. */
  start: number;
  /** The seq of the image's last fact: the log's next fact is above it. */
  afterSeq: number;
}

/** Options of {@link openWal}. */
export interface OpenWalOptions {
  /** Seq of the snapshot next to the log, or null when there is none. */
  snapshotSeq: number | null;
  repair: boolean;
  maxFrameBytes: number;
  /** Codec of a log created here. */
  codec: FactCodec;
  /** Reads the facts (decoding them by default). */
  reader?: FactReader;
  /** Read only the frames from here on (the reader holds those before): see {@link WalResume}. */
  resume?: WalResume;
}

/**
 * Opens (creating when missing or empty) the log at `path` for appending, recovering it: a torn
 * tail is truncated; a damaged frame with intact frames after it is `ERR_CORRUPT_LOG`, or with
 * `repair` is moved with everything after it to `<path>.quarantine-<n>`. Throws
 * `ERR_UNSUPPORTED_FORMAT` for a file that is not an Igniter log, `ERR_CORRUPT_LOG` for a log
 * inconsistent with its snapshot. `facts` holds the facts only when the reader decodes (the
 * others keep them). Cost: one read of the file, as the reader reads it.
 */
export function openWal(path: string, options: OpenWalOptions): OpenedWal {
  const { snapshotSeq, repair, maxFrameBytes } = options;
  const reader = options.reader ?? decodingFactReader();
  const cuts: RecoveredCut[] = [];
  let size = -1;
  try {
    size = fs.statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (size > 0 && size < HEADER_BYTES) {
    cuts.push(keepShortLog(path, size, repair));
  }
  if (size < HEADER_BYTES) {
    if (snapshotSeq !== null && !repair) {
      throw inconsistentLog(path, `the log is missing or empty, but its snapshot ${path}.snapshot exists`);
    }
    createWal(path, snapshotSeq ?? 0, options.codec);
  }
  const fd = fs.openSync(path, 'r+');
  try {
    const wal = scanWal(fd, path, snapshotSeq ?? 0, maxFrameBytes, reader, options.resume);
    const { damage } = wal.scan;
    if (damage?.offset === HEADER_BYTES) {
      throw corruptLog(
        path,
        damage.offset,
        wal.problem?.why ?? `metadata record ${damage.reason}`,
        wal.problem?.cause,
        false,
      );
    }
    checkBase(path, wal.baseSeq, snapshotSeq);
    const settled = settleFrameDamage(fd, path, wal.scan, wal.problem, repair, wal.maxSeq);
    if (settled.recovered) cuts.push(settled.recovered);
    // The writer may append batch markers from now on: a log written before them says so.
    raiseHeaderVersion(fd, wal.header);
    return {
      fd,
      end: settled.end,
      codec: wal.codec,
      baseSeq: wal.baseSeq,
      facts: wal.facts,
      tally: wal.tally,
      maxSeq: wal.maxSeq,
      recoveredTailBytes: cuts.reduce((sum, cut) => sum + cut.bytes, 0),
      quarantined: settled.quarantined,
      recovered: cuts,
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * A non-empty log shorter than its header. Igniter creates a log whole (temp file, rename), so
 * this is a log cut short, not a new one: `ERR_UNSUPPORTED_FORMAT` when the bytes are not the
 * start of a header, else `ERR_CORRUPT_LOG` (a header is never written over data), or with
 * `repair` the bytes are kept in a side file (returned) and the caller starts a new log.
 */
function keepShortLog(path: string, size: number, repair: boolean): RecoveredCut {
  const head = fs.readFileSync(path);
  if (!isHeaderPrefix(head)) readHeader(head, path, FileKind.wal, CODEC_IDS);
  if (!repair) {
    throw new IgniterError(
      'ERR_CORRUPT_LOG',
      `${path}: the log is ${size} bytes, shorter than its ${HEADER_BYTES}-byte header: it was cut short (Igniter creates a log whole); open with { repair: true } to keep its bytes in a side file and start an empty log`,
      { details: { file: path, offset: 0, reason: 'shorter than its header' } },
    );
  }
  const fd = fs.openSync(path, 'r');
  try {
    return keepCutBytes(fd, path, 0, size, 0, 'repair');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces the log of `opened` with one that continues the snapshot at `snapshotSeq` and holds
 * only `facts` (its facts above that seq, decoded), crash-safely, and opens it for appending; closes the
 * old descriptor. For a log that a crash left behind a newer snapshot (the crash came between
 * a compaction's snapshot and its cut of the log): its facts up to the snapshot's seq are
 * ignored on open, but the bytes of facts that compaction or a prune dropped must not stay on
 * disk (ARCHITECTURE.md D11). Throws the system error of a failed write (the old log stays then).
 * Cost: one write of the kept facts, two fsyncs.
 */
export function cutStaleWal(
  path: string,
  opened: OpenedWal,
  snapshotSeq: number,
  facts: readonly Fact[],
): OpenedWal {
  const file = new AtomicFileWriter(path);
  try {
    file.write(encodeHeader(FileKind.wal, opened.codec.id));
    file.write(encodeMetaFrame({ type: 'wal', baseSeq: snapshotSeq }));
    for (const fact of facts) file.write(opened.codec.frame(fact));
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  fs.closeSync(opened.fd);
  const fd = fs.openSync(path, 'r+');
  return { ...opened, fd, end: fs.fstatSync(fd).size, baseSeq: snapshotSeq };
}
