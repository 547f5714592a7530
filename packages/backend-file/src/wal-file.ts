import * as fs from 'node:fs';
import type { Fact } from '@igniter/core';
import {
  AtomicFileWriter,
  corruptLog,
  decodeMetaFrame,
  encodeHeader,
  encodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  FileKind,
  type FrameScan,
  HEADER_BYTES,
  inconsistentLog,
  isHeaderPrefix,
  metaCount,
  PreloadedLog,
  readFullySync,
  readHeader,
  scanFrameFile,
  settleFrameDamage,
} from '@igniter/core/storage';
import { type DeferringSink, sinkFor } from './fact-sink.js';
import { DECODE_FALLBACK, replayWalNative } from './native-open.js';
import type { StoreTally } from './store-tally.js';

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
}

interface WalScan {
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

/** The codec of the log open as `fd`; throws `ERR_UNSUPPORTED_FORMAT` for a foreign header. */
function readWalCodec(fd: number, path: string): FactCodec {
  const head = Buffer.alloc(HEADER_BYTES);
  const headBytes = readFullySync(fd, head, 0, HEADER_BYTES, 0);
  return FACT_CODECS.get(
    readHeader(head.subarray(0, headBytes), path, FileKind.wal, CODEC_IDS).codec,
  ) as FactCodec;
}

function scanWal(
  fd: number,
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
  deferring?: DeferringSink,
): WalScan | undefined {
  const codec = readWalCodec(fd, path);
  const sink = sinkFor(codec, deferring);
  if (!sink) return undefined;
  let baseSeq = -1;
  let maxSeq = 0;
  let problem: WalScan['problem'];
  const scan = scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    wholeFile: sink.keepsBuffer,
    onFrame(buf, bodyStart, bodyEnd, offset) {
      try {
        if (baseSeq < 0) {
          baseSeq = metaCount(decodeMetaFrame(buf, bodyStart, bodyEnd, 'wal'), 'baseSeq');
          maxSeq = baseSeq;
          return true;
        }
        const seq = sink.stage(buf, bodyStart, bodyEnd, offset);
        if (seq <= maxSeq) {
          problem = { why: `seq ${seq} does not follow seq ${maxSeq}` };
          return false;
        }
        maxSeq = seq;
        // Facts up to the snapshot's seq are in the snapshot, or were dropped by a prune that
        // crashed before it could cut this log.
        if (seq > snapshotSeq) sink.commit();
        return true;
      } catch (error) {
        problem = { why: error instanceof Error ? error.message : String(error), cause: error };
        return false;
      }
    },
  });
  return {
    codec,
    baseSeq,
    facts: sink.facts,
    tally: sink.tally,
    maxSeq,
    scan,
    problem,
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
  return (rescanWal(path, snapshotSeq, maxFrameBytes, undefined) as WalScan).facts;
}

/**
 * {@link rereadWal} into `deferring` (indexed, not decoded); false, having kept nothing, when
 * the log's codec cannot be deferred.
 */
export function rereadWalInto(
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
  deferring: DeferringSink,
): boolean {
  return rescanWal(path, snapshotSeq, maxFrameBytes, deferring) !== undefined;
}

function rescanWal(
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
  deferring: DeferringSink | undefined,
): WalScan | undefined {
  const fd = fs.openSync(path, 'r');
  try {
    const wal = scanWal(fd, path, snapshotSeq, maxFrameBytes, deferring);
    const damage = wal?.scan.damage;
    if (wal && damage)
      throw corruptLog(path, damage.offset, wal.problem?.why ?? damage.reason, wal.problem?.cause, false);
    return wal;
  } finally {
    fs.closeSync(fd);
  }
}

/** Options of {@link openWal}. */
export interface OpenWalOptions {
  /** Seq of the snapshot next to the log, or null when there is none. */
  snapshotSeq: number | null;
  repair: boolean;
  maxFrameBytes: number;
  /** Codec of a log created here. */
  codec: FactCodec;
  /**
   * Replay the log natively into this log, or index its facts into this sink, instead of
   * decoding them (`facts` and `tally` are then empty); `openWal` returns
   * {@link DECODE_FALLBACK} when that reader declines the file.
   */
  preloaded?: PreloadedLog | DeferringSink | undefined;
}

/** A log scanned natively: its facts are in the preloaded log, not in `facts`. */
function nativeWalScan(
  fd: number,
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
  preloaded: PreloadedLog,
): WalScan | undefined {
  const codec = readWalCodec(fd, path);
  const scanned = replayWalNative(preloaded, fd, path, snapshotSeq, maxFrameBytes);
  if (scanned === DECODE_FALLBACK) return undefined;
  return { codec, facts: [], problem: undefined, ...scanned };
}

/**
 * Opens (creating when missing or empty) the log at `path` for appending, recovering it: a torn
 * tail is truncated; a damaged frame with intact frames after it is `ERR_CORRUPT_LOG`, or with
 * `repair` is moved with everything after it to `<path>.quarantine-<n>`. Throws
 * `ERR_UNSUPPORTED_FORMAT` for a file that is not an Igniter log, `ERR_CORRUPT_LOG` for a log
 * inconsistent with its snapshot. With `options.preloaded`, the facts load into that native log
 * or are indexed into that sink (`facts` is then empty), or it returns {@link DECODE_FALLBACK}
 * (having changed nothing) when that reader declines the file or the log is behind the
 * snapshot (it must be rewritten from decoded facts). Cost: one read and decode of the file.
 */
export function openWal(path: string, options: OpenWalOptions & { preloaded?: undefined }): OpenedWal;
export function openWal(path: string, options: OpenWalOptions): OpenedWal | typeof DECODE_FALLBACK;
export function openWal(path: string, options: OpenWalOptions): OpenedWal | typeof DECODE_FALLBACK {
  const { snapshotSeq, repair, maxFrameBytes, preloaded } = options;
  let recovered = 0;
  let size = -1;
  try {
    size = fs.statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (size > 0 && size < HEADER_BYTES) {
    const head = fs.readFileSync(path);
    // A header torn while the file was created (only possible if something else created it).
    if (!isHeaderPrefix(head)) readHeader(head, path, FileKind.wal, CODEC_IDS);
    recovered = size;
  }
  if (size < HEADER_BYTES) {
    if (snapshotSeq !== null && !repair) {
      throw inconsistentLog(path, `the log is missing or empty, but its snapshot ${path}.snapshot exists`);
    }
    createWal(path, snapshotSeq ?? 0, options.codec);
  }
  const fd = fs.openSync(path, 'r+');
  try {
    const wal =
      preloaded instanceof PreloadedLog
        ? nativeWalScan(fd, path, snapshotSeq ?? 0, maxFrameBytes, preloaded)
        : scanWal(fd, path, snapshotSeq ?? 0, maxFrameBytes, preloaded);
    if (!wal) {
      fs.closeSync(fd);
      return DECODE_FALLBACK;
    }
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
    if (preloaded && snapshotSeq !== null && wal.baseSeq < snapshotSeq) {
      // A log behind its snapshot is rewritten (cutStaleWal), which needs its facts decoded;
      // decline before recovery changes the file, so the decoding open reports it.
      fs.closeSync(fd);
      return DECODE_FALLBACK;
    }
    const { end, removedBytes, quarantined } = settleFrameDamage(fd, path, wal.scan, wal.problem, repair);
    recovered += removedBytes;
    return {
      fd,
      end,
      codec: wal.codec,
      baseSeq: wal.baseSeq,
      facts: wal.facts,
      tally: wal.tally,
      maxSeq: wal.maxSeq,
      recoveredTailBytes: recovered,
      quarantined,
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * Replaces the log of `opened` with one that continues the snapshot at `snapshotSeq` and holds
 * only `opened.facts` (those above it), crash-safely, and opens it for appending; closes the
 * old descriptor. For a log that a crash left behind a newer snapshot (the crash came between
 * a compaction's snapshot and its cut of the log): its facts up to the snapshot's seq are
 * ignored on open, but the bytes of facts that compaction or a prune dropped must not stay on
 * disk (ARCHITECTURE.md D11). Throws the system error of a failed write (the old log stays then).
 * Cost: one write of the kept facts, two fsyncs.
 */
export function cutStaleWal(path: string, opened: OpenedWal, snapshotSeq: number): OpenedWal {
  const file = new AtomicFileWriter(path);
  try {
    file.write(encodeHeader(FileKind.wal, opened.codec.id));
    file.write(encodeMetaFrame({ type: 'wal', baseSeq: snapshotSeq }));
    for (const fact of opened.facts) file.write(opened.codec.frame(fact));
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  fs.closeSync(opened.fd);
  const fd = fs.openSync(path, 'r+');
  return { ...opened, fd, end: fs.fstatSync(fd).size, baseSeq: snapshotSeq };
}
