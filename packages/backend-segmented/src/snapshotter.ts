import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { type FactCodec, fsyncDirectory } from '@igniter/core/storage';
import {
  encodeFacts,
  type GenerationContext,
  groupByStore,
  holdsExactly,
  removeQuietly,
  type StoreFacts,
  writeGeneration,
} from './generation.js';
import { inventoryOf } from './inventory.js';
import { CATALOG_FILE, STORES_DIR, segmentPath, storeFolderName } from './layout.js';
import type { ResolvedOptions } from './options.js';
import { writeRecordFile } from './record-file.js';
import { type Catalog, catalogJson, type ManifestRecord } from './records.js';
import { sealLiveSegment } from './seal.js';
import { StoreSegments } from './store-segments.js';

/**
 * Owns the catalog: segment numbers (never reused), store generations and the seq floor, and
 * the one crash-safe step that replaces stored facts with a snapshot of them.
 */
export class Snapshotter {
  private readonly catalogPath: string;
  private readonly storesDir: string;

  /**
   * @param dir the backend directory
   * @param catalog the catalog read at open
   * @param nextSegment the next unused segment number (above any number ever seen)
   */
  constructor(
    dir: string,
    private catalog: Catalog,
    private nextSegment: number,
    private readonly codec: FactCodec,
    private readonly options: ResolvedOptions,
  ) {
    this.catalogPath = join(dir, CATALOG_FILE);
    this.storesDir = join(dir, STORES_DIR);
  }

  /** A new segment number: above every number handed out before, also across reopen. */
  allocate(): number {
    const segment = this.nextSegment;
    this.nextSegment += 1;
    return segment;
  }

  /**
   * Rewrites the catalog so that it lists the segments `stores` have now (see `inventoryOf`),
   * when that differs from what it lists. Call it after every change of the
   * files: a started, sealed or purged segment, a clean close. Throws the system error of a
   * failed write (the catalog stays as it was). Cost: O(segments), two fsyncs when it writes.
   */
  record(stores: Map<string, StoreSegments>): void {
    const inventory = inventoryOf(stores.values());
    const catalog: Catalog = { ...this.catalog, nextSegment: this.nextSegment, inventory };
    const json = catalogJson(catalog);
    if (JSON.stringify(json) === JSON.stringify(catalogJson(this.catalog))) return;
    writeRecordFile(this.catalogPath, json);
    this.catalog = catalog;
  }

  /**
   * After the live segments closed cleanly: the catalog lists their whole size as on disk, so
   * that a later open notices a live segment cut shorter. Best effort: the data is on disk
   * already, and a catalog that lists less only tells less.
   */
  recordClosed(stores: Map<string, StoreSegments>): void {
    for (const store of stores.values()) if (store.live) store.live.listedBytes = store.live.writer.size;
    try {
      this.record(stores);
    } catch (error) {
      process.emitWarning(
        `could not record the live segment sizes in the catalog at close (${error instanceof Error ? error.message : String(error)}); the facts are on disk`,
        { code: 'IGNITER_CATALOG_NOT_RECORDED' },
      );
    }
  }

  /** The current generation of store `name` (0 for a store never rewritten). */
  generationOf(name: string): number {
    return this.catalog.generations.get(name) ?? 0;
  }

  /**
   * Makes `facts` the whole stored state up to `lastSeq` (see
   * `SegmentedFileBackend#replaceWithSnapshot`): writes a new generation for every store whose
   * facts change, commits the catalog, then removes the old generations' files. With `sealAll`,
   * first seals the live segments of the stores that do not change. Updates `stores` in place.
   * Throws as `replaceWithSnapshot` does; before the catalog commit nothing visible changed.
   */
  replace(
    stores: Map<string, StoreSegments>,
    facts: readonly Fact[],
    lastSeq: number,
    highWater: number,
    sealAll: boolean,
  ): void {
    const { options, codec } = this;
    const kept = groupByStore(facts, lastSeq, stores);
    const changed = [...new Set([...stores.keys(), ...kept.keys()])].filter(
      (name) => !holdsExactly(stores.get(name), kept.get(name), highWater),
    );
    // Only the stores that change are encoded and written; encoding first fails before any write.
    const encoded = new Map<string, StoreFacts>(
      changed.map((name) => [name, encodeFacts(kept.get(name) ?? [], codec, options.maxFrameBytes)]),
    );
    const now = options.clock();
    if (sealAll) {
      for (const store of stores.values()) if (!changed.includes(store.name)) sealLiveSegment(store, now);
    }
    const context: GenerationContext = { codec, options, allocate: () => this.allocate(), now };
    const generations = new Map(this.catalog.generations);
    const sealed = new Map<string, ManifestRecord[]>();
    const written: string[] = [];
    try {
      for (const name of changed) {
        const folder = stores.get(name)?.folder ?? this.createFolder(name);
        const generation = this.generationOf(name) + 1;
        generations.set(name, generation);
        sealed.set(
          name,
          writeGeneration(name, folder, generation, encoded.get(name) as StoreFacts, context, written),
        );
      }
      const inventory = inventoryOf(stores.values(), sealed);
      const catalog: Catalog = { lastSeq, nextSegment: this.nextSegment, generations, inventory };
      writeRecordFile(this.catalogPath, catalogJson(catalog));
      this.catalog = catalog;
    } catch (error) {
      removeQuietly(written);
      throw error;
    }
    this.switchTo(stores, sealed);
  }

  /** Points `stores` at their new generations and removes the files of the old ones. */
  private switchTo(stores: Map<string, StoreSegments>, sealed: Map<string, ManifestRecord[]>): void {
    const doomed: string[] = [];
    const folders = new Set<string>();
    for (const [name, manifests] of sealed) {
      const folder = join(this.storesDir, storeFolderName(name));
      const store = stores.get(name) ?? new StoreSegments(name, folder, 0);
      stores.set(name, store);
      for (const m of store.sealed) {
        doomed.push(
          segmentPath(store.folder, m.segment, 'log'),
          segmentPath(store.folder, m.segment, 'manifest'),
        );
      }
      if (store.live) {
        store.live.discard();
        doomed.push(store.live.path);
        store.live = undefined;
      }
      store.sealed = manifests;
      store.generation = this.generationOf(name);
      folders.add(store.folder);
    }
    try {
      for (const path of doomed) fs.rmSync(path, { force: true });
      for (const folder of folders) fsyncDirectory(folder);
    } catch (error) {
      // The new state is committed; the next open removes what is left of the old generation.
      process.emitWarning(
        `could not remove every file of a replaced generation (${error instanceof Error ? error.message : String(error)}); the next open removes them`,
        { code: 'IGNITER_SEGMENTS_LEFT' },
      );
    }
  }

  private createFolder(name: string): string {
    const folder = join(this.storesDir, storeFolderName(name));
    if (!fs.existsSync(folder)) {
      fs.mkdirSync(folder);
      fsyncDirectory(this.storesDir);
    }
    return folder;
  }
}
