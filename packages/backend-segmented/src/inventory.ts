import * as fs from 'node:fs';
import { join } from 'node:path';
import { IgniterError, type VerifyProblem } from '@igniter/core';
import { FACT_CODECS, FileKind, HEADER_BYTES, readFullySync, readHeader } from '@igniter/core/storage';
import { STORES_DIR, segmentPath, storeFolderName } from './layout.js';
import type { Inventory, ListedSegment, ManifestRecord } from './records.js';
import type { StoreSegments } from './store-segments.js';

/** A file the catalog lists that is missing or shorter than listed. */
export interface LostFile {
  /** The file (or, for a missing store folder, the folder), as an absolute path. */
  file: string;
  /** The store it belongs to. */
  store: string;
  /** The segment; undefined for a whole store folder. */
  segment: number | undefined;
  /** Bytes the catalog lists that are not on disk. */
  bytes: number;
  /** 'missing', or 'short': there, but shorter than listed. */
  how: 'missing' | 'short';
  /** Whether a sealed segment (whose manifest also records its size), else a live one or a folder. */
  sealed: boolean;
  /** What is wrong, in a sentence. */
  message: string;
}

/**
 * What the catalog records of `stores`: each store's sealed segments with their sizes, its live
 * segment with the bytes known on disk (`LiveSegment.listedBytes`) and its purged segments;
 * `replaced` gives the sealed segments of stores a compaction is switching to a new generation
 * (their live segment goes). Stores without any segment are left out. Cost: O(segments).
 */
export function inventoryOf(
  stores: Iterable<StoreSegments>,
  replaced: ReadonlyMap<string, readonly ManifestRecord[]> = new Map(),
): Inventory {
  const inventory: Inventory = new Map();
  const add = (name: string, segments: ListedSegment[]): void => {
    if (segments.length > 0)
      inventory.set(
        name,
        segments.sort((a, b) => a.segment - b.segment),
      );
  };
  for (const store of stores) {
    const next = replaced.get(store.name);
    const sealed = next ?? store.sealed;
    const segments: ListedSegment[] = sealed.map((m) => ({
      segment: m.segment,
      state: 'sealed',
      bytes: m.byteSize,
    }));
    for (const p of store.purged) segments.push({ segment: p.segment, state: 'purged', bytes: 0 });
    if (store.live && !next)
      segments.push({ segment: store.live.segment, state: 'live', bytes: store.live.listedBytes });
    add(store.name, segments);
  }
  for (const [name, manifests] of replaced) {
    if (inventory.has(name)) continue;
    add(
      name,
      manifests.map((m) => ({ segment: m.segment, state: 'sealed', bytes: m.byteSize })),
    );
  }
  return inventory;
}

/** The size of `path`, or undefined when it does not exist. */
function sizeOf(path: string): number | undefined {
  try {
    return fs.statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function lostSegment(folder: string, store: string, listed: ListedSegment): LostFile | undefined {
  const log = segmentPath(folder, listed.segment, 'log');
  const size = sizeOf(log);
  const sealed = listed.state === 'sealed';
  const what = sealed ? 'sealed segment' : 'live segment';
  const where = { file: log, store, segment: listed.segment, sealed };
  if (size === undefined) {
    // A purge that a crash kept from reaching the catalog left its receipt instead.
    if (sizeOf(segmentPath(folder, listed.segment, 'purged')) !== undefined) return undefined;
    // A live segment listed before any fact was recorded in it may have been removed empty.
    if (listed.state === 'live' && listed.bytes === 0) return undefined;
    const message = `the ${what} ${log} that the catalog lists (${listed.bytes} bytes) is missing`;
    return { ...where, bytes: listed.bytes, how: 'missing', message };
  }
  if (size >= listed.bytes) return undefined;
  // A sealed segment with its manifest is checked against it (and repaired) where it is read.
  if (sealed && sizeOf(segmentPath(folder, listed.segment, 'manifest')) !== undefined) return undefined;
  checkHeader(log);
  const message = `the ${what} ${log} is ${size} bytes, the catalog lists ${listed.bytes}`;
  return { ...where, bytes: listed.bytes - size, how: 'short', message };
}

/** Throws `ERR_UNSUPPORTED_FORMAT` when the file at `path` is not an Igniter segment. */
function checkHeader(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const got = readFullySync(fd, header, 0, HEADER_BYTES, 0);
    readHeader(header.subarray(0, got), path, FileKind.segment, new Set(FACT_CODECS.keys()));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The files `inventory` lists under `dir` that are missing or shorter than listed: whole store
 * folders, sealed segments, and live segments shorter than their size at the last clean close.
 * A purged segment needs no file. Never writes. Throws the system error of a failed stat.
 * Cost: one stat per listed segment.
 */
export function lostFiles(dir: string, inventory: Inventory): LostFile[] {
  const lost: LostFile[] = [];
  // Without the folder of all stores nothing is read at all (the open says so).
  if (!fs.existsSync(join(dir, STORES_DIR))) return lost;
  for (const [store, segments] of inventory) {
    const folder = join(dir, STORES_DIR, storeFolderName(store));
    const held = segments.filter((s) => s.state === 'sealed' || (s.state === 'live' && s.bytes > 0));
    if (!fs.existsSync(folder)) {
      if (held.length === 0) continue;
      const bytes = held.reduce((n, s) => n + s.bytes, 0);
      const message = `the folder ${folder} of store ${JSON.stringify(store)}, which the catalog lists with ${held.length} segment(s) of ${bytes} bytes, is missing`;
      lost.push({ file: folder, store, segment: undefined, bytes, how: 'missing', sealed: false, message });
      continue;
    }
    for (const listed of segments) {
      if (listed.state === 'purged') continue;
      const found = lostSegment(folder, store, listed);
      if (found) lost.push(found);
    }
  }
  return lost;
}

/**
 * Throws `ERR_CORRUPT_LOG` naming the first of `lost` (details: every lost file), or returns
 * when there is none. Cost: O(lost files).
 */
export function refuseLost(lost: readonly LostFile[]): void {
  const first = lost[0];
  if (!first) return;
  const more = lost.length > 1 ? ` (and ${lost.length - 1} more)` : '';
  throw new IgniterError(
    'ERR_CORRUPT_LOG',
    `${first.file}: ${first.message}${more}; the facts it held are gone unless you restore it. Open with { repair: true } to open without it (it is reported, and the catalog then forgets it)`,
    { details: { file: first.file, lost: lost.map((l) => ({ file: l.file, bytes: l.bytes })) } },
  );
}

/**
 * `verify()` problems (kind `'seq'`: files missing facts they should hold) of the segment files
 * of `stores` that are missing, or shorter than their manifest or than written to them (the
 * live segments: flush first). Never writes. Cost: one stat per segment.
 */
export function missingFileProblems(stores: readonly StoreSegments[], dir: string): VerifyProblem[] {
  const inventory = inventoryOf(stores);
  for (const store of stores) {
    const live = store.live;
    const listed = inventory.get(store.name)?.find((s) => s.state === 'live');
    if (live && listed) listed.bytes = live.writer.size;
  }
  // A short sealed segment is reported by the check against its manifest.
  return lostFiles(dir, inventory)
    .filter((l) => l.how === 'missing' || !l.sealed)
    .map((l) => ({ kind: 'seq', file: l.file, message: l.message }));
}
