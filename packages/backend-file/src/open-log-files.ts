import * as fs from 'node:fs';
import type { RecoveredCut } from '@igniter/core';
import { type FactCodec, type FactReader, factReaderFor, removeStaleTempFiles } from '@igniter/core/storage';
import { openImageWithoutSnapshot, writeOpenImage } from './open-image.js';
import type { ResolvedOptions } from './options.js';
import { readSnapshotFile, type SnapshotContents, type SnapshotImage } from './snapshot-file.js';
import { readSnapshotOrRepair, SNAPSHOT_REBUILT } from './snapshot-repair.js';
import { StoreTally } from './store-tally.js';
import { cutStaleWal, type OpenedWal, openWal, rereadWal } from './wal-file.js';

/** What opening the log found and repaired. */
export interface RecoveryReport {
  /** Bytes removed from the end of the log: a torn tail, plus anything quarantined. */
  recoveredTailBytes: number;
  /** The quarantine file written by `repair: true`, if any. */
  quarantined: string | null;
  /** Every cut open made, with the side file that keeps the cut bytes. */
  recovered: RecoveredCut[];
  /** Temp files of interrupted rewrites that were removed. */
  removedTempFiles: string[];
  /**
   * The image (`<path>.image`) at open: 'used' when the native engine mapped it instead of
   * replaying the snapshot (a checkpoint's image) or the snapshot and the first bytes of the log
   * (an image an earlier open wrote: see `imageLogEnd`), else why it was not (missing, tied to
   * another snapshot or log, damaged: the files were replayed); null when there was neither a
   * snapshot nor an image, or the engine reads no images (the TS engine).
   */
  checkpointImage: string | null;
  /** Bytes of the log the image used at open covered (read from there on); 0 for none. */
  imageLogEnd: number;
  /**
   * 'written' when this open replayed at least `openImageFacts` facts and wrote them as the
   * image it then mapped (the next open replays only the log after them), else why it could
   * not; null when it did not try (fewer facts replayed, the TS engine).
   */
  openImage: string | null;
}

/** The files of one file-backend log. */
export interface LogPaths {
  /** The write-ahead log. */
  path: string;
  snapshotPath: string;
  imagePath: string;
}

/** The snapshot and the log as open found them. */
export interface OpenedFiles {
  snapshot: SnapshotContents | undefined;
  wal: OpenedWal;
  /** The reader that read them (a fresh one after a snapshot repair). */
  reader: FactReader;
  /** What open cut and removed, and what became of the checkpoint image. */
  recovery: RecoveryReport;
}

/** Size of the file at `path`, 0 when there is none. */
function fileSize(path: string): number {
  return fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Opens a file-backend log (the caller holds its lock): removes stale temp files of interrupted
 * rewrites, reads the snapshot and opens the log, recovering them, with one reader picked from
 * the engine the store will run: a native replay for the native engine, an index of undecoded
 * facts for the TS engine (decoding for files of 2 GiB+). A log that a crash left behind its
 * snapshot is rewritten from its facts above the snapshot, decoded (read again when the reader
 * keeps them undecoded or native: a rare recovery, not the open path). Throws what
 * `readSnapshotOrRepair` and `openWal` throw.
 */
export function openLogFiles(paths: LogPaths, options: ResolvedOptions, codec: FactCodec): OpenedFiles {
  const { path, snapshotPath, imagePath } = paths;
  const removedTempFiles = [
    ...removeStaleTempFiles(path),
    ...removeStaleTempFiles(snapshotPath),
    ...removeStaleTempFiles(imagePath),
  ];
  const largest = Math.max(fileSize(path), fileSize(snapshotPath));
  const makeReader = () => factReaderFor(options.engine, largest);
  const { maxFrameBytes, repair } = options;
  const cuts: RecoveredCut[] = [];
  let reader = makeReader();
  const image: SnapshotImage = { path: imagePath, logPath: path };
  let snapshot = readSnapshotOrRepair(snapshotPath, path, maxFrameBytes, repair, reader, cuts, image);
  if (snapshot === SNAPSHOT_REBUILT) {
    reader = makeReader();
    snapshot = readSnapshotFile(snapshotPath, maxFrameBytes, reader, image);
  }
  if (!snapshot) openImageWithoutSnapshot(reader, image, path);
  const logEnd = image.logEnd ?? 0;
  const resume = logEnd > 0 ? { start: logEnd, afterSeq: image.maxSeq ?? 0 } : undefined;
  const snapshotSeq = snapshot?.lastSeq ?? null;
  let wal = openWal(path, { snapshotSeq, repair, maxFrameBytes, codec, reader, resume });
  let openImage: string | null = null;
  if (snapshot && wal.baseSeq < snapshot.lastSeq) {
    const facts = reader.engine === undefined ? wal.facts : rereadWal(path, snapshot.lastSeq, maxFrameBytes);
    wal = cutStaleWal(path, wal, snapshot.lastSeq, facts);
  } else {
    const input = { reader, image, logPath: path, snapshotPath, snapshot, wal };
    openImage = writeOpenImage({ ...input, minFacts: options.openImageFacts });
  }
  // Without a snapshot, the image's counts are those of the log's first frames.
  if (!snapshot && image.counts)
    wal = { ...wal, tally: StoreTally.merge(StoreTally.fromCounts(image.counts), wal.tally) };
  const recovered = [...cuts, ...wal.recovered];
  const recovery: RecoveryReport = {
    recoveredTailBytes: recovered.reduce((sum, cut) => sum + cut.bytes, 0),
    quarantined: wal.quarantined,
    recovered,
    removedTempFiles,
    checkpointImage: image.outcome ?? null,
    imageLogEnd: logEnd,
    openImage,
  };
  return { snapshot, wal, reader, recovery };
}
