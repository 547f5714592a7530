import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { jsonFactCodec } from '@igniter/core/storage';
import type { useTempDir } from '@igniter/core/testing';
import { CONTRACT_T0, contractFact } from '@igniter/core/testing';
import { SegmentedFileBackend, type SegmentedFileBackendOptions } from '../../src/index.js';
import { segmentFileName, storeFolderName } from '../../src/layout.js';
import { readRecordFile } from '../../src/record-file.js';
import { type ManifestRecord, type PurgeRecord, parseManifest, parsePurge } from '../../src/records.js';
import { segmentHeadBytes } from '../../src/segment-file.js';

export { CONTRACT_T0 };

/** Fact `seq` of store `store` at transaction time `CONTRACT_T0 + seq - 1` (or `time`). */
export function factOf(seq: number, store = 'tasks', time?: number): Fact {
  return contractFact(seq, { store, ...(time === undefined ? {} : { transactionTime: time }) });
}

/** Bytes of the frame of `fact`. */
export function frameBytes(fact: Fact): number {
  return jsonFactCodec.frame(fact).length;
}

/** Bytes of the header and metadata record of segment `segment` of `store` (generation `generation`). */
export function headBytes(store: string, segment: number, generation = 0): number {
  return segmentHeadBytes(jsonFactCodec, { store, segment, generation }).length;
}

/** Path of a file of segment `segment` of `store` under `dir`. */
export function segmentFile(
  dir: string,
  store: string,
  segment: number,
  kind: 'log' | 'manifest' | 'purged' = 'log',
): string {
  return join(dir, 'stores', storeFolderName(store), segmentFileName(segment, kind));
}

/** The manifest record on disk of a sealed segment. */
export function manifestOnDisk(dir: string, store: string, segment: number): ManifestRecord | undefined {
  return readRecordFile(segmentFile(dir, store, segment, 'manifest'), 'manifest', parseManifest);
}

/** The purge receipt on disk of a purged segment. */
export function receiptOnDisk(dir: string, store: string, segment: number): PurgeRecord | undefined {
  return readRecordFile(segmentFile(dir, store, segment, 'purged'), 'purge', parsePurge);
}

/** Flips bit 0 of the byte at `offset` of the file at `path`. */
export function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ 0x01;
  writeFileSync(path, bytes);
}

/** The clock of the purge tests' backends. */
export const PURGE_NOW = 1_900_000_000_000;

/**
 * Backends for the purge tests, in the test's temp directory (closed after each test): `open`
 * makes one with segments of two facts and the clock at `PURGE_NOW`; `threeSegments` writes
 * store "tasks" with sealed segments 1 (seq 1-2) and 2 (3-4) and live segment 3 (5).
 */
export function purgeBackends(temp: ReturnType<typeof useTempDir>): {
  open: (options?: SegmentedFileBackendOptions) => SegmentedFileBackend;
  threeSegments: () => SegmentedFileBackend;
} {
  const open = (options: SegmentedFileBackendOptions = {}): SegmentedFileBackend =>
    temp.track(
      new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2, clock: () => PURGE_NOW, ...options }),
    );
  return {
    open,
    threeSegments: () => {
      const backend = open();
      for (let seq = 1; seq <= 5; seq++) backend.writeFact(factOf(seq));
      return backend;
    },
  };
}
