import * as fs from 'node:fs';
import {
  type PurgedRange,
  type PurgeInput,
  type PurgeReceipt,
  type PurgeReceiptsInput,
  toMs,
} from '@igniter/core';
import { fsyncDirectory } from '@igniter/core/storage';
import { badArgument } from './errors.js';
import { segmentPath } from './layout.js';
import { writeRecordFile } from './record-file.js';
import { type ManifestRecord, type PurgeRecord, purgeJson } from './records.js';
import type { StoreSegments } from './store-segments.js';

/** What one `purge` call removes: of one store or all, which sealed segments, and why. */
export interface PurgeSelection {
  store: string | undefined;
  select: (manifest: ManifestRecord) => boolean;
  reason: string;
}

/** The default reason of a purge that was given none. */
export function defaultPurgeReason(before: number): string {
  const at = new Date(before);
  const when = Number.isNaN(at.getTime()) ? `${before} ms` : at.toISOString();
  return `segment purge: every fact older than ${when}`;
}

/**
 * Checks a purge's input (ERR_INVALID_ARGUMENT, before anything is purged): exactly one of
 * `before` (a time) and `segments` (sealed segment numbers of `store`, which is then required).
 */
export function purgeSelection(
  opts: PurgeInput,
  storeNamed: (name: string) => StoreSegments | undefined,
): PurgeSelection {
  if (opts.store !== undefined && typeof opts.store !== 'string') throw badArgument('store must be a string');
  if (opts.reason !== undefined && typeof opts.reason !== 'string')
    throw badArgument('reason must be a string');
  if ((opts.before === undefined) === (opts.segments === undefined)) {
    throw badArgument(
      'purge needs either `before` (a time) or `segments` (sealed segment numbers of `store`)',
    );
  }
  if (opts.before !== undefined) {
    const before = toMs(opts.before, 'before') as number;
    return {
      store: opts.store,
      select: (m) => m.maxTime !== null && m.maxTime < before,
      reason: opts.reason ?? defaultPurgeReason(before),
    };
  }
  const segments = opts.segments;
  if (!Array.isArray(segments) || segments.some((n) => !Number.isSafeInteger(n))) {
    throw badArgument('segments must be an array of segment numbers');
  }
  if (opts.store === undefined) throw badArgument('purge with `segments` needs `store`');
  const sealed = new Set((storeNamed(opts.store)?.sealed ?? []).map((m) => m.segment));
  const unknown = segments.find((n) => !sealed.has(n));
  if (unknown !== undefined) {
    throw badArgument(`segment ${unknown} is not a sealed segment of store ${JSON.stringify(opts.store)}`);
  }
  const wanted = new Set(segments);
  return {
    store: opts.store,
    select: (m) => wanted.has(m.segment),
    reason: opts.reason ?? `segment purge: segments ${segments.join(', ')}`,
  };
}

/** Checks the filters of `purgeReceipts`; `limit` defaults to every receipt. */
export function checkPurgeReceiptsInput(opts: PurgeReceiptsInput): {
  store: string | undefined;
  since: number | undefined;
  limit: number | undefined;
} {
  if (opts.store !== undefined && typeof opts.store !== 'string') throw badArgument('store must be a string');
  const limit = opts.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw badArgument('limit must be an integer >= 1');
  }
  return { store: opts.store, since: toMs(opts.since, 'since'), limit };
}

/**
 * Purges the sealed segments of `store` that `select` picks: for each,
 * its receipt is written crash-safely first, then the segment file and manifest are removed
 * and the folder fsynced. A crash after the receipt leaves the purge to be finished by the next
 * open; the live segment is never touched. Returns the receipts. Throws the system error of a
 * failed write or removal (segments purged until then stay purged).
 * Cost: per purged segment two fsyncs and two removals, plus one folder fsync.
 */
export function purgeStore(
  store: StoreSegments,
  select: (manifest: ManifestRecord) => boolean,
  reason: string,
  now: number,
): PurgeRecord[] {
  const doomed = store.sealed.filter(select);
  const receipts: PurgeRecord[] = [];
  try {
    for (const m of doomed) {
      const receipt: PurgeRecord = {
        store: store.name,
        segment: m.segment,
        factCount: m.factCount,
        byteSize: m.byteSize,
        minSeq: m.minSeq,
        maxSeq: m.maxSeq,
        minTime: m.minTime,
        maxTime: m.maxTime,
        checksum: m.checksum,
        reason,
        purgedAt: now,
      };
      writeRecordFile(segmentPath(store.folder, m.segment, 'purged'), purgeJson(receipt));
      store.sealed = store.sealed.filter((s) => s !== m);
      store.addPurged(receipt);
      receipts.push(receipt);
      fs.rmSync(segmentPath(store.folder, m.segment, 'log'), { force: true });
      fs.rmSync(segmentPath(store.folder, m.segment, 'manifest'), { force: true });
    }
  } finally {
    if (receipts.length > 0) fsyncDirectory(store.folder);
  }
  return receipts;
}

/**
 * Purges in each of `targets` the sealed segments `selection` picks ({@link purgeStore}), and
 * tells `forget` the seq ranges removed, also when a later step failed (a running store forgets
 * what is gone from disk). Returns the receipts; throws as `purgeStore`.
 */
export function purgeStores(
  targets: readonly (StoreSegments | undefined)[],
  selection: PurgeSelection,
  now: number,
  forget: (purged: readonly PurgedRange[]) => void,
): PurgeReceipt[] {
  const receipts: PurgeReceipt[] = [];
  const ranges: PurgedRange[] = [];
  try {
    for (const store of targets) {
      if (!store) continue;
      for (const record of purgeStore(store, selection.select, selection.reason, now)) {
        receipts.push(toPurgeReceipt(record));
        if (record.minSeq !== null && record.maxSeq !== null) {
          ranges.push({ store: record.store, minSeq: record.minSeq, maxSeq: record.maxSeq });
        }
      }
    }
  } finally {
    if (ranges.length > 0) forget(ranges);
  }
  return receipts;
}

/** The purge receipts of `stores` that `opts` (checked) selects, oldest first. Cost: O(receipts). */
export function purgeReceiptsOf(stores: Iterable<StoreSegments>, opts: PurgeReceiptsInput): PurgeReceipt[] {
  const { store, since, limit } = checkPurgeReceiptsInput(opts);
  return [...stores]
    .filter((s) => store === undefined || s.name === store)
    .flatMap((s) => s.purged)
    .filter((r) => since === undefined || r.purgedAt >= since)
    .sort((a, b) => a.purgedAt - b.purgedAt || a.segment - b.segment)
    .slice(0, limit)
    .map(toPurgeReceipt);
}

/** A purge record as `purgeReceipts()` lists it. */
export function toPurgeReceipt(record: PurgeRecord): PurgeReceipt {
  return {
    store: record.store,
    segment: record.segment,
    factCount: record.factCount,
    reason: record.reason,
    purgedAt: record.purgedAt,
  };
}
