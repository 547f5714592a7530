import * as fs from 'node:fs';
import { basename, join } from 'node:path';
import { IgniterError, type RecoveredCut } from '@igniter/core';
import {
  corruptLog,
  FACT_CODECS,
  FileKind,
  fsyncDirectory,
  HEADER_BYTES,
  inconsistentLog,
  readFullySync,
  readHeader,
  removeStaleTempFiles,
  settleFrameDamage,
} from '@igniter/core/storage';
import { cutFrom, firstIncompleteBatch, type UnsealedSegment } from './batch-recovery.js';
import type { GroupSync } from './group-sync.js';
import { type LostFile, lostFiles, refuseLost } from './inventory.js';
import {
  CATALOG_FILE,
  isStaleTempName,
  parseSegmentFileName,
  type SegmentFileKind,
  STORES_DIR,
  segmentPath,
  storeFolderName,
} from './layout.js';
import { LiveSegment } from './live-segment.js';
import type { ResolvedOptions } from './options.js';
import { readRecordFile, writeRecordFile } from './record-file.js';
import { type Catalog, catalogJson, parseCatalog, parseManifest, parsePurge } from './records.js';
import { repairSealed } from './repair-sealed.js';
import { sealLiveSegment } from './seal.js';
import { scanSegment } from './segment-file.js';
import { StoreSegments } from './store-segments.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/** What opening a segmented directory found, repaired and cleaned up. */
export interface OpenedDirectory {
  catalog: Catalog;
  stores: Map<string, StoreSegments>;
  /** The highest seq ever committed, also of facts since dropped or purged. */
  highWater: number;
  /** The next unused segment number (above every number ever seen). */
  nextSegment: number;
  /** Bytes truncated from live segments: torn tails, plus anything quarantined. */
  recoveredTailBytes: number;
  /** Quarantine files written by `repair`. */
  quarantined: string[];
  /** Every cut of a live segment, with the side file that keeps its bytes. */
  recovered: RecoveredCut[];
  /** Leftovers removed: temp files of interrupted writes, segments of an old or aborted generation, purged segments. */
  removedFiles: string[];
  /** Files the catalog lists that are missing or short, opened without (only with `repair`). */
  lost: LostFile[];
}

/**
 * Refuses to turn a folder of other files into a store: a `dir` that holds entries but no
 * catalog is `ERR_UNSUPPORTED_FORMAT` naming it, before anything is written there. What an
 * interrupted first open may leave (the lock, a catalog temp file, `stores/`) is not foreign.
 */
export function checkStoreFolder(dir: string): void {
  if (!fs.existsSync(dir) || fs.existsSync(join(dir, CATALOG_FILE))) return;
  const foreign = fs
    .readdirSync(dir)
    .filter((name) => name !== STORES_DIR && !name.startsWith(`${CATALOG_FILE}.`))
    .sort();
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', ...' : '');
  throw new IgniterError(
    'ERR_UNSUPPORTED_FORMAT',
    `${dir} is not empty and is not an Igniter segmented store (no catalog; it holds ${shown}); give an empty or new directory`,
    { details: { path: dir } },
  );
}

/** Reads the catalog, creating a new directory's. Throws ERR_CORRUPT_LOG when it is missing from a used one. */
function openCatalog(dir: string, removed: string[]): Catalog {
  const path = join(dir, CATALOG_FILE);
  removed.push(...removeStaleTempFiles(path));
  const catalog = readRecordFile(path, 'catalog', parseCatalog);
  if (catalog) return catalog;
  const stores = join(dir, STORES_DIR);
  if (fs.existsSync(stores) && fs.readdirSync(stores).length > 0) {
    throw inconsistentLog(path, `the catalog is missing, but ${stores} holds store folders`);
  }
  fs.mkdirSync(stores, { recursive: true });
  const fresh: Catalog = { lastSeq: 0, nextSegment: 1, generations: new Map() };
  writeRecordFile(path, catalogJson(fresh));
  return fresh;
}

function remove(path: string, removed: string[]): void {
  if (!fs.existsSync(path)) return;
  fs.rmSync(path, { force: true });
  removed.push(path);
}

function checkFolder(path: string, folder: string, store: string): void {
  if (storeFolderName(store) !== basename(folder)) {
    throw inconsistentLog(path, `it belongs to store ${JSON.stringify(store)}, not to this folder`);
  }
}

function checkSealedFile(path: string, byteSize: number): void {
  const fd = fs.openSync(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const got = readFullySync(fd, header, 0, HEADER_BYTES, 0);
    readHeader(header.subarray(0, got), path, FileKind.segment, CODEC_IDS);
    const size = fs.fstatSync(fd).size;
    if (size !== byteSize) {
      throw inconsistentLog(
        path,
        `the sealed segment is ${size} bytes, its manifest says ${byteSize}; open with { repair: true } to keep its intact facts`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The state one store folder holds, after finishing interrupted purges and dropping stale generations. */
class FolderReader {
  store: StoreSegments | undefined;
  maxSegment = 0;
  recovered = 0;
  readonly quarantined: string[] = [];
  /** Sealed segments whose manifest is here but whose file is not (only with `repair`). */
  readonly lost: LostFile[] = [];
  readonly cuts: RecoveredCut[] = [];
  /** Segments without a manifest, read but not yet resumed (see {@link resumeUnsealed}). */
  readonly unsealed: UnsealedSegment[] = [];

  constructor(
    private readonly folder: string,
    private readonly catalog: Catalog,
    private readonly options: ResolvedOptions,
    private readonly groupSync: GroupSync | undefined,
    private readonly removed: string[],
  ) {}

  read(): void {
    const files = new Map<number, Set<SegmentFileKind>>();
    for (const name of fs.readdirSync(this.folder)) {
      if (isStaleTempName(name)) {
        remove(join(this.folder, name), this.removed);
        continue;
      }
      const parsed = parseSegmentFileName(name);
      if (!parsed) continue; // quarantine files and anything else that is not ours to read
      const kinds = files.get(parsed.segment) ?? new Set<SegmentFileKind>();
      kinds.add(parsed.kind);
      files.set(parsed.segment, kinds);
    }
    const unsealed: number[] = [];
    for (const segment of [...files.keys()].sort((a, b) => a - b)) {
      this.maxSegment = Math.max(this.maxSegment, segment);
      const kinds = files.get(segment) as Set<SegmentFileKind>;
      if (kinds.has('purged')) this.readPurged(segment, kinds);
      else if (kinds.has('manifest')) this.readSealed(segment, kinds);
      else unsealed.push(segment);
    }
    for (const [i, segment] of unsealed.entries()) this.resume(segment, i === unsealed.length - 1);
  }

  private storeFor(name: string, path: string): StoreSegments {
    checkFolder(path, this.folder, name);
    if (this.store && this.store.name !== name) {
      throw inconsistentLog(
        path,
        `it belongs to store ${JSON.stringify(name)}, the folder to ${JSON.stringify(this.store.name)}`,
      );
    }
    this.store ??= new StoreSegments(name, this.folder, this.catalog.generations.get(name) ?? 0);
    return this.store;
  }

  private path(segment: number, kind: SegmentFileKind): string {
    return segmentPath(this.folder, segment, kind);
  }

  /** A purge receipt; a segment file still next to it is the rest of an interrupted purge. */
  private readPurged(segment: number, kinds: Set<SegmentFileKind>): void {
    const path = this.path(segment, 'purged');
    const receipt = readRecordFile(path, 'purge', parsePurge);
    if (!receipt || receipt.segment !== segment)
      throw inconsistentLog(path, `it is not the receipt of segment ${segment}`);
    this.storeFor(receipt.store, path).addPurged(receipt);
    if (kinds.has('log')) remove(this.path(segment, 'log'), this.removed);
    if (kinds.has('manifest')) remove(this.path(segment, 'manifest'), this.removed);
  }

  private readSealed(segment: number, kinds: Set<SegmentFileKind>): void {
    const path = this.path(segment, 'manifest');
    const manifest = readRecordFile(path, 'manifest', parseManifest);
    if (!manifest || manifest.segment !== segment)
      throw inconsistentLog(path, `it is not the manifest of segment ${segment}`);
    const store = this.storeFor(manifest.store, path);
    const log = this.path(segment, 'log');
    if (manifest.generation !== store.generation) {
      // Left by a compaction: an old generation it replaced, or a new one a crash interrupted.
      remove(log, this.removed);
      remove(path, this.removed);
      return;
    }
    if (!kinds.has('log')) {
      if (!this.options.repair) {
        throw inconsistentLog(
          path,
          `its segment file ${log} is missing; open with { repair: true } to open without it (it is reported)`,
        );
      }
      // Opened without it: the manifest of a segment that is gone goes too, once reported.
      const message = `the sealed segment ${log} that its manifest lists (${manifest.byteSize} bytes) is missing`;
      this.lost.push({
        file: log,
        store: manifest.store,
        segment,
        bytes: manifest.byteSize,
        how: 'missing',
        sealed: true,
        message,
      });
      remove(path, this.removed);
      return;
    }
    if (!this.options.repair) {
      checkSealedFile(log, manifest.byteSize);
      store.sealed.push(manifest);
      return;
    }
    const repair = repairSealed(log, path, manifest, this.options.maxFrameBytes);
    this.recovered += repair.removedBytes;
    if (repair.quarantined) this.quarantined.push(repair.quarantined);
    store.sealed.push(repair.manifest);
  }

  /** A segment without a manifest: the live one (`last`), or one a crash kept from being sealed. */
  private resume(segment: number, last: boolean): void {
    const path = this.path(segment, 'log');
    const fd = fs.openSync(path, 'r+');
    let owned = true;
    try {
      const scan = scanSegment(fd, path, this.options.maxFrameBytes, undefined);
      if (!scan.head) {
        const why = scan.problem?.why ?? `metadata record ${scan.scan.damage?.reason ?? 'missing'}`;
        throw corruptLog(path, HEADER_BYTES, why, scan.problem?.cause, false);
      }
      if (scan.head.segment !== segment)
        throw inconsistentLog(path, `it says it is segment ${scan.head.segment}`);
      const store = this.storeFor(scan.head.store, path);
      if (scan.head.generation !== store.generation) {
        fs.closeSync(fd);
        owned = false;
        remove(path, this.removed);
        return;
      }
      const lastSeq = scan.summary.maxSeq ?? 0;
      const settled = settleFrameDamage(fd, path, scan.scan, scan.problem, this.options.repair, lastSeq);
      this.recovered += settled.removedBytes;
      if (settled.quarantined) this.quarantined.push(settled.quarantined);
      if (settled.recovered) this.cuts.push(settled.recovered);
      owned = false;
      this.unsealed.push({ store, segment, path, fd, scan, last });
    } finally {
      if (owned) fs.closeSync(fd);
    }
  }

  /**
   * Resumes the segments {@link read} left unsealed, first cutting every fact from seq `cut` on
   * (an incomplete batch and all after it; see `firstIncompleteBatch`): the last one of the
   * store stays live, the others are sealed. Throws the system error of a failed cut or seal.
   */
  resumeUnsealed(cut: number | null): void {
    const { maxFrameBytes } = this.options;
    for (;;) {
      const u = this.unsealed.shift();
      if (!u) return;
      let { scan } = u;
      let owned = true;
      try {
        const recovered = cut === null ? null : cutFrom(u, cut, maxFrameBytes);
        if (recovered) {
          this.recovered += recovered.bytes;
          this.cuts.push(recovered);
          scan = scanSegment(u.fd, u.path, maxFrameBytes, undefined);
        }
        const { store } = u;
        owned = false;
        store.live = new LiveSegment(
          u.path,
          u.segment,
          store.generation,
          scan.codec,
          u.fd,
          scan.summary,
          scan.summary.maxSeq ?? 0,
          this.options,
          this.groupSync,
          u.last ? scan.facts : undefined,
        );
        store.live.takesParts = scan.version >= 2;
        if (!u.last) sealLiveSegment(store, this.options.clock());
      } finally {
        if (owned) fs.closeSync(u.fd);
      }
    }
  }

  /** Closes what {@link read} opened and did not resume (open failed). Never throws. */
  abandon(): void {
    for (const u of this.unsealed.splice(0)) fs.closeSync(u.fd);
    this.store?.live?.discard();
  }
}

/**
 * Opens the segmented directory `dir` (its lock already held): reads the catalog (creating it
 * for a new directory), every manifest and purge receipt, and resumes each store's live segment,
 * applying the recovery rules of ARCHITECTURE.md D8 (torn tails truncated, damage `ERR_CORRUPT_LOG` or
 * quarantined with `repair`). Finishes interrupted purges and compactions.
 * Throws `ERR_UNSUPPORTED_FORMAT` for files that are not ours, `ERR_CORRUPT_LOG` for damage and
 * inconsistencies, and system errors. Live segments leave their fsyncs to `groupSync` when
 * given. Cost: reads every record file and every live segment;
 * sealed segments only have their header read.
 */
export function openDirectory(
  dir: string,
  options: ResolvedOptions,
  groupSync: GroupSync | undefined,
): OpenedDirectory {
  const removedFiles: string[] = [];
  const catalog = openCatalog(dir, removedFiles);
  // Before anything is read or recovered: files the catalog lists must all be there.
  const lost = catalog.inventory ? lostFiles(dir, catalog.inventory) : [];
  if (!options.repair) refuseLost(lost);
  const storesDir = join(dir, STORES_DIR);
  const stores = new Map<string, StoreSegments>();
  let highWater = catalog.lastSeq;
  let nextSegment = catalog.nextSegment;
  let recoveredTailBytes = 0;
  const quarantined: string[] = [];
  const recovered: RecoveredCut[] = [];
  const readers: FolderReader[] = [];
  try {
    if (!fs.existsSync(storesDir))
      throw inconsistentLog(storesDir, 'the store folders are missing, but the catalog exists');
    for (const entry of fs.readdirSync(storesDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const reader = new FolderReader(join(storesDir, entry.name), catalog, options, groupSync, removedFiles);
      readers.push(reader);
      reader.read();
    }
    // A batch is kept only if all its parts are there, across every store's segments.
    const cut = firstIncompleteBatch(
      readers.flatMap((r) => r.unsealed),
      readers.flatMap((r) => (r.store ? [r.store] : [])),
      catalog.lastSeq,
    );
    for (const reader of readers) {
      reader.resumeUnsealed(cut);
      nextSegment = Math.max(nextSegment, reader.maxSegment + 1);
      recoveredTailBytes += reader.recovered;
      quarantined.push(...reader.quarantined);
      for (const l of reader.lost) if (!lost.some((known) => known.file === l.file)) lost.push(l);
      recovered.push(...reader.cuts);
      const store = reader.store;
      if (!store) continue;
      stores.set(store.name, store);
      for (const s of [...store.sealed, ...store.purged, ...(store.live ? [store.live.summary] : [])]) {
        highWater = Math.max(highWater, s.maxSeq ?? 0);
      }
    }
    if (removedFiles.length > 0) {
      for (const store of stores.values()) fsyncDirectory(store.folder);
    }
  } catch (error) {
    for (const reader of readers) reader.abandon();
    throw error;
  }
  takeLiveBytes(stores, catalog);
  return {
    catalog,
    stores,
    highWater,
    nextSegment,
    recoveredTailBytes,
    quarantined,
    recovered,
    removedFiles,
    lost,
  };
}

/**
 * Sets each live segment's `listedBytes` from the catalog: the size its live segment had at the last
 * clean close (no more than it has now, after a repair). Cost: O(segments).
 */
function takeLiveBytes(stores: Map<string, StoreSegments>, catalog: Catalog): void {
  for (const store of stores.values()) {
    const live = store.live;
    const listed = catalog.inventory?.get(store.name)?.find((s) => s.segment === live?.segment);
    if (live && listed?.state === 'live') live.listedBytes = Math.min(listed.bytes, live.writer.size);
  }
}
