import type { Fact } from '@igniter/core';
import { corruptLog, inconsistentLog } from '@igniter/core/storage';
import { segmentPath } from './layout.js';
import type { LiveSegment } from './live-segment.js';
import type { ManifestRecord, SegmentSummary } from './records.js';
import { scanSegmentFile } from './segment-file.js';
import type { StoreSegments } from './store-segments.js';

/** Inclusive transaction-time bounds of a replay. */
export interface TimeWindow {
  since: number | undefined;
  asOf: number | undefined;
}

/** True when a segment with these figures may hold a fact inside `window`. Cost: constant. */
export function mayOverlap(summary: SegmentSummary, window: TimeWindow): boolean {
  if (summary.factCount === 0 || summary.minTime === null || summary.maxTime === null) return false;
  if (window.since !== undefined && summary.maxTime < window.since) return false;
  if (window.asOf !== undefined && summary.minTime > window.asOf) return false;
  return true;
}

/** A filter keeping the facts inside `window`, or undefined when it keeps every fact. */
export function windowFilter(window: TimeWindow): ((fact: Fact) => boolean) | undefined {
  const { since, asOf } = window;
  if (since === undefined && asOf === undefined) return undefined;
  return (f) =>
    (since === undefined || f.transactionTime >= since) && (asOf === undefined || f.transactionTime <= asOf);
}

function check(path: string, what: string, found: number, expected: number): void {
  if (found !== expected)
    throw inconsistentLog(path, `the segment's ${what} is ${found}, its manifest says ${expected}`);
}

/**
 * The facts of sealed segment `manifest` in `folder` that `keep` accepts, checking the whole
 * file against its manifest: every frame CRC, the metadata record, fact count, size and file
 * checksum. Throws `ERR_CORRUPT_LOG` naming the file (and the offset of a damaged frame),
 * `ERR_UNSUPPORTED_FORMAT` for a file that is not a segment, and system errors.
 * Cost: one read and decode of the file.
 */
export function readSealed(
  folder: string,
  manifest: ManifestRecord,
  keep: ((fact: Fact) => boolean) | undefined,
  maxFrameBytes: number,
): Fact[] {
  const path = segmentPath(folder, manifest.segment, 'log');
  const read = scanSegmentFile(path, maxFrameBytes, keep);
  const { damage } = read.scan;
  if (damage) throw corruptLog(path, damage.offset, read.problem?.why ?? damage.reason, read.problem?.cause);
  const head = read.head;
  if (
    !head ||
    head.store !== manifest.store ||
    head.segment !== manifest.segment ||
    head.generation !== manifest.generation
  ) {
    throw inconsistentLog(path, 'its metadata record does not match its manifest');
  }
  check(path, 'fact count', read.summary.factCount, manifest.factCount);
  check(path, 'size', read.summary.byteSize, manifest.byteSize);
  check(path, 'CRC-32', read.summary.checksum, manifest.checksum);
  return read.facts;
}

/**
 * The facts of the live segment that `keep` accepts: those decoded when it was resumed, if it
 * was not written since, else read from the file (after handing buffered frames to the OS).
 * Throws `ERR_CORRUPT_LOG` if the file was damaged since it was opened, and system errors.
 * Cost: one read and decode of the file, or a filter of the resumed facts.
 */
export function readLive(
  live: LiveSegment,
  keep: ((fact: Fact) => boolean) | undefined,
  maxFrameBytes: number,
): Fact[] {
  const resumed = live.takeResumedFacts();
  if (resumed) return keep ? resumed.filter(keep) : resumed;
  live.writer.flushToOs();
  const read = scanSegmentFile(live.path, maxFrameBytes, keep);
  const { damage } = read.scan;
  if (damage) {
    throw corruptLog(
      live.path,
      damage.offset,
      read.problem?.why ?? damage.reason,
      read.problem?.cause,
      false,
    );
  }
  check(live.path, 'fact count', read.summary.factCount, live.summary.factCount);
  return read.facts;
}

/** Merges runs that are each in seq order into one array in seq order. Cost: O(n log runs). */
export function mergeBySeq(runs: Fact[][]): Fact[] {
  const nonEmpty = runs.filter((r) => r.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return nonEmpty[0] as Fact[];
  // TimSort finds the sorted runs in the concatenation and merges them.
  return nonEmpty.flat().sort((a, b) => a.seq - b.seq);
}

/**
 * Every fact of `stores` inside `window`, in seq order: segments whose time range lies outside
 * are not read, the others are filtered fact by fact. Throws `ERR_CORRUPT_LOG` for a damaged
 * segment. Cost: one read and decode of every segment that may hold a fact in the window.
 */
export function replayStores(
  stores: Iterable<StoreSegments>,
  window: TimeWindow,
  maxFrameBytes: number,
): Fact[] {
  const keep = windowFilter(window);
  const runs: Fact[][] = [];
  for (const store of stores) {
    for (const manifest of store.sealed) {
      if (mayOverlap(manifest, window)) runs.push(readSealed(store.folder, manifest, keep, maxFrameBytes));
    }
    const live = store.live;
    if (live && mayOverlap(live.summary, window)) runs.push(readLive(live, keep, maxFrameBytes));
  }
  return mergeBySeq(runs);
}
