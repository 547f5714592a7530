import * as fs from 'node:fs';
import type { PurgeReceipt } from '@igniter/core';
import { fsyncDirectory } from '@igniter/core/storage';
import { segmentPath } from './layout.js';
import { writeRecordFile } from './record-file.js';
import { type PurgeRecord, purgeJson } from './records.js';
import type { StoreSegments } from './store-segments.js';

/** The default reason of a purge that was given none. */
export function defaultPurgeReason(before: number): string {
  const at = new Date(before);
  const when = Number.isNaN(at.getTime()) ? `${before} ms` : at.toISOString();
  return `segment purge: every fact older than ${when}`;
}

/**
 * Purges the sealed segments of `store` whose newest fact is older than `before`: for each,
 * its receipt is written crash-safely first, then the segment file and manifest are removed
 * and the folder fsynced. A crash after the receipt leaves the purge to be finished by the next
 * open; the live segment is never touched. Returns the receipts. Throws the system error of a
 * failed write or removal (segments purged until then stay purged).
 * Cost: per purged segment two fsyncs and two removals, plus one folder fsync.
 */
export function purgeStore(store: StoreSegments, before: number, reason: string, now: number): PurgeRecord[] {
  const doomed = store.sealed.filter((m) => m.maxTime !== null && m.maxTime < before);
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
