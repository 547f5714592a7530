import * as fs from 'node:fs';
import type { FactCodec } from '@igniter/core/storage';
import { copyToSnapshotTemp, type FrameRange, factsStart } from './checkpoint-copy.js';
import type { CheckpointImages, PendingImage } from './checkpoint-image.js';

/** One background checkpoint of a file backend (see `FileBackend.checkpoint`). */
export interface CheckpointRun {
  path: string;
  snapshotPath: string;
  codec: FactCodec;
  maxFrameBytes: number;
  images: CheckpointImages;
  /** True when the backend was opened for the native engine (only it reads images). */
  loadsNative: boolean;
  /** The seq the new snapshot declares (at least the highest written). */
  lastSeq: number;
  /** The log's end when the checkpoint started (its buffer handed to the OS): the bytes copied. */
  walEnd: number;
  /** The snapshot's seq on disk at the start, null when there is none. */
  snapshotSeq: number | null;
  /** The live facts at the start. */
  factCount: number;
  /** The backend's count of file replacements (and blocking closes), now. */
  generation(): number;
  /** True once a rewrite left no usable log. */
  broken(): boolean;
  /** True once `closeSync` ran. */
  closedSync(): boolean;
  /**
   * The last, synchronous step: puts the copied snapshot in place and replaces the log with the
   * frames written since `walEnd`; the backend's generation moves on.
   */
  place(copied: { tempPath: string; size: number }): void;
}

/**
 * Copies the frames stored when the checkpoint started (the old snapshot's, then the log's) into
 * a new snapshot on the libuv pool, then has the backend put it in place, unless a rewrite or a
 * close came meanwhile (then it gives up and resolves). The native engine's image of the new
 * snapshot is built from the same frames and finished in the background. Rejects with
 * `ERR_CORRUPT_LOG` naming a damaged frame and system errors; nothing changes then.
 */
export async function runBackgroundCheckpoint(run: CheckpointRun): Promise<void> {
  const { path, snapshotPath, maxFrameBytes, lastSeq, walEnd, images } = run;
  // Opened now: a compaction or prune during the copy renames new files over these paths.
  const sources: FrameRange[] = [];
  let image: PendingImage | undefined;
  /** The generation once this checkpoint's snapshot is in place (the image is kept if it still is). */
  let placed = -1;
  try {
    const wal = { path, fd: fs.openSync(path, 'r'), start: 0, end: walEnd };
    sources.push(wal);
    wal.start = factsStart(wal.fd, wal.path, 'wal', maxFrameBytes);
    // The snapshot already holds everything and the log is empty: nothing to do.
    if (run.snapshotSeq === lastSeq && wal.start === walEnd) return;
    if (run.snapshotSeq !== null) {
      const snapshot = { path: snapshotPath, fd: fs.openSync(snapshotPath, 'r'), start: 0, end: 0 };
      sources.unshift(snapshot);
      snapshot.start = factsStart(snapshot.fd, snapshot.path, 'snapshot', maxFrameBytes);
      snapshot.end = fs.fstatSync(snapshot.fd).size;
    }
    const generation = run.generation();
    const current = () => run.generation() === generation && !run.broken();
    const factCount = run.factCount;
    // The image of the new snapshot is written from the same frames while they are copied.
    const files = sources.map((source) => ({ path: source.path, start: source.start }));
    if (run.loadsNative) {
      const old = sources.length > 1 ? (sources[0] as FrameRange) : undefined;
      const base = old ? images.base(old.fd, maxFrameBytes) : images.baseWithoutSnapshot();
      image = images.start({ files, maxFrameBytes, lastSeq, factCount, base });
    }
    const copied = await copyToSnapshotTemp({
      target: snapshotPath,
      sources,
      lastSeq,
      factCount,
      codec: run.codec,
      maxFrameBytes,
      current,
    });
    if (copied && current()) {
      run.place(copied);
      placed = run.generation();
    } else if (copied) fs.rmSync(copied.tempPath, { force: true });
  } finally {
    // These are the last descriptors of the replaced log (and snapshot): their close frees
    // the file's blocks, 100-150 ms for a 290 MiB log on a busy disk, so it runs on the pool.
    for (const source of sources) fs.close(source.fd, () => undefined);
    if (image) {
      const keep = () => run.generation() === placed && !run.broken() && !run.closedSync();
      // The checkpoint is done once its snapshot is durable and in place; the image (never
      // fsynced, refused at open unless intact and tied to this snapshot) follows on its own.
      images.finishInBackground(image, snapshotPath, keep);
    }
  }
}
