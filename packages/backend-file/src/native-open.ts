import {
  decodeMetaFrame,
  type FrameScan,
  findNextFrame,
  HEADER_BYTES,
  metaCount,
  type NativeReplayResult,
  type PreloadedLog,
} from '@igniter/core/storage';
import { StoreTally } from './store-tally.js';

/**
 * Returned when a fast reader (the native replay, or indexing without decoding) leaves a file
 * to the JS decoder: a frame the native reader does not take as is, metadata it cannot vouch
 * for, a failed read, a codec that cannot be deferred, a log to rewrite. The caller then opens
 * every file by decoding it (and drops what the fast reader filled), which accepts the file
 * or raises the exact error.
 */
export const DECODE_FALLBACK: unique symbol = Symbol('decode fallback');

function tallyOf(result: NativeReplayResult): StoreTally {
  const tally = new StoreTally();
  result.tallyStores.forEach((store, i) => {
    tally.addMany(store, result.tallyFacts[i] as number, result.tallyBytes[i] as number);
  });
  return tally;
}

/** The metadata record of a data file of `type`, read natively; undefined when it is not plainly intact. */
function readMeta(
  preloaded: PreloadedLog,
  path: string,
  maxFrameBytes: number,
  type: string,
): { meta: ReturnType<typeof decodeMetaFrame>; end: number } | undefined {
  const head = preloaded.replayFile(path, { start: HEADER_BYTES, maxFrameBytes, metaOnly: true });
  if (head.stop !== 'end' || head.meta === undefined) return undefined;
  const body = Buffer.from(head.meta);
  try {
    return { meta: decodeMetaFrame(body, 0, body.length, type), end: head.end };
  } catch {
    return undefined;
  }
}

/** What a snapshot holds, its facts loaded into the preloaded log. */
export interface NativeSnapshot {
  lastSeq: number;
  tally: StoreTally;
  size: number;
}

/**
 * Replays the snapshot at `path` (its header already checked) into `preloaded`. Returns
 * {@link DECODE_FALLBACK} for anything but an intact snapshot. Cost: one native read of the file.
 */
export function replaySnapshotNative(
  preloaded: PreloadedLog,
  path: string,
  maxFrameBytes: number,
): NativeSnapshot | typeof DECODE_FALLBACK {
  const head = readMeta(preloaded, path, maxFrameBytes, 'snapshot');
  if (!head) return DECODE_FALLBACK;
  let lastSeq: number;
  let factCount: number;
  try {
    lastSeq = metaCount(head.meta, 'lastSeq');
    factCount = metaCount(head.meta, 'factCount');
  } catch {
    return DECODE_FALLBACK;
  }
  const result = preloaded.replayFile(path, { start: head.end, maxFrameBytes, maxSeq: lastSeq });
  if (result.stop !== 'end' || result.loaded !== factCount) return DECODE_FALLBACK;
  return { lastSeq, tally: tallyOf(result), size: result.size };
}

/** A write-ahead log scanned natively: what `scanWal` reports, with the facts in the preloaded log. */
export interface NativeWalScan {
  baseSeq: number;
  tally: StoreTally;
  maxSeq: number;
  scan: FrameScan;
}

/**
 * Replays the write-ahead log open as `fd` at `path` (its header already checked) into
 * `preloaded`: facts above `snapshotSeq` load, up to the first damaged frame, which is reported
 * as the JS scan reports it (the caller applies the recovery rules). Returns
 * {@link DECODE_FALLBACK} for damaged metadata and for intact frames the native reader does not
 * take. Cost: one native read of the file; after damage, a JS search for a following frame.
 */
export function replayWalNative(
  preloaded: PreloadedLog,
  fd: number,
  path: string,
  snapshotSeq: number,
  maxFrameBytes: number,
): NativeWalScan | typeof DECODE_FALLBACK {
  const head = readMeta(preloaded, path, maxFrameBytes, 'wal');
  if (!head) return DECODE_FALLBACK;
  let baseSeq: number;
  try {
    baseSeq = metaCount(head.meta, 'baseSeq');
  } catch {
    return DECODE_FALLBACK;
  }
  const result = preloaded.replayFile(path, {
    start: head.end,
    maxFrameBytes,
    afterSeq: baseSeq,
    skipThrough: snapshotSeq,
  });
  if (result.stop === 'unsupported') return DECODE_FALLBACK;
  const damage =
    result.stop === 'end'
      ? null
      : {
          offset: result.stopOffset,
          reason: result.stop,
          nextFrameAt: findNextFrame(fd, result.stopOffset + 1, result.size, maxFrameBytes),
        };
  return {
    baseSeq,
    tally: tallyOf(result),
    maxSeq: result.maxSeq,
    scan: { size: result.size, end: result.end, damage },
  };
}
