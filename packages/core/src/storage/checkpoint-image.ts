import { loadNative } from '../engine/engine-choice.js';

/** The checkpoint image of the file store whose log is at `logPath`. */
export function imagePathFor(logPath: string): string {
  return `${logPath}.image`;
}

/** Where a snapshot's facts start and what its metadata record declares. */
export interface SnapshotImageSource {
  snapshotPath: string;
  /** Offset of the first fact frame. */
  start: number;
  maxFrameBytes: number;
  lastSeq: number;
  factCount: number;
}

/**
 * Writes the checkpoint image of a snapshot to `tempPath` off the JS thread: the native addon
 * replays the snapshot on the libuv pool and writes the log's state, fsynced; the caller renames
 * it into place if the snapshot is still current. A later open by the native engine maps the
 * image instead of replaying the snapshot. Resolves to "" once written, or to why no image was
 * written (no native addon, a snapshot the native replay does not take whole, a failed write:
 * the temp file is then removed). Never rejects.
 * Cost: one replay of the snapshot and one write of the image, off the JS thread.
 */
export async function buildCheckpointImage(source: SnapshotImageSource, tempPath: string): Promise<string> {
  const load = loadNative();
  if (!load.ok) return load.reason;
  if (typeof load.binding.buildImage !== 'function') return 'the native addon predates images';
  const numbers = [source.start, source.maxFrameBytes, source.lastSeq, source.factCount];
  return load.binding.buildImage(source.snapshotPath, numbers, tempPath);
}
