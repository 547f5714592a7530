import { checkInput, type SegmentManifest, type StorageStats } from '@igniter/core';
import { STORE_FILTER_FIELDS } from '@igniter/core/storage';
import { badArgument } from './errors.js';
import type { SegmentedRecoveryReport } from './recovery-report.js';
import type { StoreSegments } from './store-segments.js';

function setEntry<T>(target: { [key: string]: T }, key: string, value: T): void {
  // defineProperty, so that a store named "__proto__" is an ordinary key.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Stores that have a segment, in name order. */
function listed(stores: Iterable<StoreSegments>): StoreSegments[] {
  return [...stores]
    .filter((s) => s.sealed.length > 0 || s.live !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The `store` of a store filter; throws `ERR_INVALID_ARGUMENT` for a bad filter. */
function storeOption(opts: { store?: string }): string | undefined {
  const store = checkInput<{ store?: unknown }>(opts, 'store filter', STORE_FILTER_FIELDS).store;
  if (store !== undefined && typeof store !== 'string') throw badArgument('store must be a string');
  return store;
}

/**
 * `SegmentedFileBackend.storageStats`: bytes and live facts of every store's segments, of one
 * store when `opts.store` is given (the totals stay whole), with what open recovered.
 * Cost: O(segments).
 */
export function storageStatsOf(
  stores: Iterable<StoreSegments>,
  opts: { store?: string },
  recovery: SegmentedRecoveryReport,
): StorageStats {
  const only = storeOption(opts);
  const perStore: StorageStats['stores'] = {};
  let factCount = 0;
  let byteSize = 0;
  for (const s of listed(stores)) {
    const entry = { factCount: s.factCount, byteSize: s.byteSize };
    factCount += entry.factCount;
    byteSize += entry.byteSize;
    if (only === undefined || only === s.name) setEntry(perStore, s.name, entry);
  }
  return {
    backend: 'segmented',
    byteSize,
    factCount,
    recoveredTailBytes: recovery.recoveredTailBytes,
    recovered: recovery.recovered.map((cut) => ({ ...cut })),
    stores: perStore,
  };
}

/** `SegmentedFileBackend.segmentManifest`: each store's segments by number. Cost: O(segments). */
export function segmentManifestOf(
  stores: Iterable<StoreSegments>,
  opts: { store?: string },
): SegmentManifest {
  const only = storeOption(opts);
  const perStore: SegmentManifest['stores'] = {};
  for (const s of listed(stores)) {
    if (only === undefined || only === s.name) setEntry(perStore, s.name, s.infos());
  }
  return { stores: perStore };
}
