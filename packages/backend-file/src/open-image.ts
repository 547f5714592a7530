import * as fs from 'node:fs';
import type { FactReader } from '@igniter/core/storage';
import { noteImageOpen, type SnapshotContents, type SnapshotImage } from './snapshot-file.js';
import { StoreTally } from './store-tally.js';
import type { OpenedWal } from './wal-file.js';

// An open's image (ARCHITECTURE.md "Checkpoint images", "Open images"): when a native open
// replays many facts from the files, it writes them as `<path>.image`, tied to the snapshot and
// to the log bytes it read, and maps it; the next open maps it and replays only the log after
// those bytes. Like a checkpoint's image it is an accelerator: the snapshot and the log stay the
// truth, and an image that does not match them is refused with a reason and the files replayed.

/**
 * Without a snapshot, only an image an earlier open wrote (tied to the log alone) can stand for
 * the log's first frames: `reader` loads it when there is one and the log at `logPath` still
 * starts with the bytes it covers, and `image` says what happened. Never throws.
 */
export function openImageWithoutSnapshot(reader: FactReader, image: SnapshotImage, logPath: string): void {
  if (!reader.openImage || !fs.existsSync(image.path)) return;
  noteImageOpen(image, reader.openImage(image.path, '', 0, 0, logPath));
}

/** What {@link writeOpenImage} looks at. */
export interface OpenImageInput {
  reader: FactReader;
  image: SnapshotImage;
  logPath: string;
  snapshotPath: string;
  snapshot: SnapshotContents | undefined;
  /** The log as open left it (its tally counts only the frames read after the image's). */
  wal: OpenedWal;
  /** `openImageFacts`: the facts replayed from the files that make an image worth writing. */
  minFacts: number;
}

/**
 * Writes an image of what the open read, when `reader` replayed (not mapped) at least
 * `minFacts` facts, and at least a quarter of the facts an image it opened holds, and can write
 * one (the native engine's): returns 'written' once the image is
 * in place and the reader maps it, else why none was, or null when the open replayed too few
 * facts to try. The caller holds the writer lock and has recovered the files (the image covers
 * the log up to `wal.end`). Never throws.
 */
export function writeOpenImage(input: OpenImageInput): string | null {
  const { reader, image, snapshot, wal, minFacts } = input;
  if (!reader.writeImage || minFacts === 0) return null;
  const fromImage = image.outcome === 'used';
  const before = snapshot ? snapshot.tally : StoreTally.fromCounts(image.counts ?? []);
  const mapped = fromImage ? before.factCount : 0;
  const replayed = (fromImage ? 0 : before.factCount) + wal.tally.factCount;
  // A new image is a write of every fact, mapped ones too: only once the replayed tail is at
  // least a quarter of what the image on disk holds, so that each fact is written a bounded
  // number of times however the log grows (and at most 1/5 of the facts stay on the heap).
  if (replayed < minFacts || replayed * 4 < mapped) return null;
  const counts = StoreTally.merge(before, wal.tally).counts();
  return (
    reader.writeImage({
      imagePath: image.path,
      logPath: input.logPath,
      logEnd: wal.end,
      snapshot: snapshot && {
        path: input.snapshotPath,
        lastSeq: snapshot.lastSeq,
        factCount: snapshot.factCount,
      },
      counts,
    }) || 'written'
  );
}
