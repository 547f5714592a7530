import * as fs from 'node:fs';
import { type Fact, IgniterError, type RecoveredCut } from '@igniter/core';
import {
  announceCut,
  copyRangeTo,
  DEFAULT_FACT_CODEC,
  decodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  type FactReader,
  findNextFrame,
  HEADER_BYTES,
  metaCount,
  probeFrame,
  readBatchMarker,
  readFullySync,
  recoveredSidePath,
} from '@igniter/core/storage';
import { isIntactHeader } from './snapshot-damage.js';
import {
  readSnapshotFile,
  type SnapshotContents,
  type SnapshotImage,
  writeSnapshotFile,
} from './snapshot-file.js';

/** What {@link salvageSnapshot} read from a damaged snapshot. */
interface Salvaged {
  facts: Fact[];
  /** The snapshot's lastSeq: from its metadata record, else from the log that continues it. */
  lastSeq: number;
  /** Offset of the first byte that is not part of an intact, usable frame (0 for the header). */
  firstDamage: number;
  /** Bytes of the file not carried into the rebuilt snapshot. */
  lostBytes: number;
  /** Seq of the last fact kept before `firstDamage` (0 when none). */
  lastIntactSeq: number;
}

/**
 * `error` (an `ERR_CORRUPT_LOG` of the snapshot at `path`) with the way out added: reopening
 * with `repair: true` rebuilds the snapshot from its intact frames.
 */
export function withSnapshotRepairHint(error: IgniterError, path: string): IgniterError {
  return new IgniterError(
    'ERR_CORRUPT_LOG',
    `${error.message}; the snapshot ${path} holds the facts before the log, so nothing was changed: open with { repair: true } to rebuild it from its intact frames (the damaged file is kept in ${path}.recovered-<ms>)`,
    { details: error.details, cause: error },
  );
}

/** The codec and baseSeq of the log at `walPath`, as far as its first bytes say (undefined parts when not). */
function peekWal(walPath: string, maxFrameBytes: number): { codec?: FactCodec; baseSeq?: number } {
  let fd: number;
  try {
    fd = fs.openSync(walPath, 'r');
  } catch {
    return {};
  }
  try {
    const buf = Buffer.alloc(Math.min(64 * 1024, fs.fstatSync(fd).size));
    readFullySync(fd, buf, 0, buf.length, 0);
    const codec = isIntactHeader(buf) ? FACT_CODECS.get(buf.readUInt8(11)) : undefined;
    const probe = probeFrame(buf, HEADER_BYTES, maxFrameBytes);
    if (probe.kind !== 'frame') return { codec };
    try {
      return {
        codec,
        baseSeq: metaCount(decodeMetaFrame(buf, probe.bodyStart, probe.bodyEnd, 'wal'), 'baseSeq'),
      };
    } catch {
      return { codec };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads every intact frame of the damaged snapshot open as `fd`: the metadata record when it
 * survived, and every fact frame that decodes and continues the seq order, skipping damaged
 * bytes up to the next intact frame. Cost: one read of the file; a search after each damage.
 */
function salvageSnapshot(fd: number, walPath: string, maxFrameBytes: number): Salvaged {
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  readFullySync(fd, buf, 0, size, 0);
  const wal = peekWal(walPath, maxFrameBytes);
  const headerOk = isIntactHeader(buf);
  const codec =
    (headerOk ? FACT_CODECS.get(buf.readUInt8(11)) : undefined) ?? wal.codec ?? DEFAULT_FACT_CODEC;
  let firstDamage = headerOk ? -1 : 0;
  let kept = headerOk ? HEADER_BYTES : 0;
  let metaSeq: number | undefined;
  let previous = 0;
  let lastIntactSeq = 0;
  const facts: Fact[] = [];
  let at = HEADER_BYTES;
  while (at < size) {
    const probe = probeFrame(buf, at, maxFrameBytes);
    if (
      probe.kind === 'frame' &&
      probe.bodyEnd > probe.bodyStart &&
      takeFrame(probe.bodyStart, probe.bodyEnd, at)
    ) {
      kept += probe.next - at;
      at = probe.next;
      continue;
    }
    if (firstDamage < 0) firstDamage = at;
    at = findNextFrame(fd, at + 1, size, maxFrameBytes) ?? size;
  }
  const lastSeq = metaSeq ?? wal.baseSeq ?? previous;
  const inRange = facts.filter((fact) => fact.seq <= lastSeq);
  return {
    facts: inRange,
    lastSeq,
    firstDamage: firstDamage < 0 ? size : firstDamage,
    lostBytes: size - kept,
    lastIntactSeq,
  };

  function takeFrame(bodyStart: number, bodyEnd: number, offset: number): boolean {
    if (offset === HEADER_BYTES && metaSeq === undefined) {
      try {
        metaSeq = metaCount(decodeMetaFrame(buf, bodyStart, bodyEnd, 'snapshot'), 'lastSeq');
        return true;
      } catch {
        // Not the metadata record: maybe a fact.
      }
    }
    // A batch marker a checkpoint copied: salvage keeps frames one by one, so it holds nothing.
    if (readBatchMarker(buf, bodyStart, bodyEnd)) return true;
    let fact: Fact;
    try {
      fact = codec.decode(buf, bodyStart, bodyEnd);
    } catch {
      return false;
    }
    if (fact.seq <= previous) return false;
    previous = fact.seq;
    if (firstDamage < 0) lastIntactSeq = fact.seq;
    facts.push(fact);
    return true;
  }
}

/**
 * Rebuilds the damaged snapshot at `path` (next to the log `walPath`) from its intact frames:
 * first copies the whole damaged file to `<path>.recovered-<ms>`, then writes a snapshot of the
 * facts that survived (lastSeq from its metadata record, else from the log's) in its place,
 * crash-safely, and emits `IGNITER_RECOVERED`. Returns the cut: `offset` is the first damaged
 * byte, `bytes` the bytes not carried over (the side file holds the whole old file).
 * Throws the system error of a failed read, copy or write (the damaged snapshot stays then).
 * Cost: one read and one write of the snapshot, four fsyncs.
 */
export function rebuildSnapshot(path: string, walPath: string, maxFrameBytes: number): RecoveredCut {
  const fd = fs.openSync(path, 'r');
  try {
    const salvaged = salvageSnapshot(fd, walPath, maxFrameBytes);
    const size = fs.fstatSync(fd).size;
    const sideFile = recoveredSidePath(path);
    copyRangeTo(fd, 0, size, sideFile);
    writeSnapshotFile(path, salvaged.facts, salvaged.lastSeq, DEFAULT_FACT_CODEC, maxFrameBytes);
    return announceCut({
      file: path,
      offset: salvaged.firstDamage,
      bytes: salvaged.lostBytes,
      sideFile,
      lastIntactSeq: salvaged.lastIntactSeq,
      reason: 'snapshot-repair',
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Returned by {@link readSnapshotOrRepair} when it rebuilt the snapshot: read it again with a
 * fresh reader (the first one may hold facts of the damaged file).
 */
export const SNAPSHOT_REBUILT: unique symbol = Symbol('snapshot rebuilt');

/**
 * Reads the snapshot at `path` with `reader` (see `readSnapshotFile`). A damaged snapshot
 * (`ERR_CORRUPT_LOG`, naming it) stays as it is and the error says how to repair, unless
 * `repair`: then it is rebuilt from its intact frames ({@link rebuildSnapshot}), the cut is added
 * to `cuts`, and {@link SNAPSHOT_REBUILT} is returned. `image`: as for `readSnapshotFile`.
 */
export function readSnapshotOrRepair(
  path: string,
  walPath: string,
  maxFrameBytes: number,
  repair: boolean,
  reader: FactReader,
  cuts: RecoveredCut[],
  image?: SnapshotImage,
): SnapshotContents | undefined | typeof SNAPSHOT_REBUILT {
  try {
    return readSnapshotFile(path, maxFrameBytes, reader, image);
  } catch (error) {
    if (!(error instanceof IgniterError) || error.code !== 'ERR_CORRUPT_LOG') throw error;
    if (!repair) throw withSnapshotRepairHint(error, path);
    cuts.push(rebuildSnapshot(path, walPath, maxFrameBytes));
    return SNAPSHOT_REBUILT;
  }
}
