import { loadNative } from '../engine/engine-choice.js';

/** The checkpoint image of the file store whose log is at `logPath`. */
export function imagePathFor(logPath: string): string {
  return `${logPath}.image`;
}

/** What a checkpoint's new snapshot holds: the facts of `files` (each from its offset) up to `lastSeq`. */
export interface ImageSources {
  /** The data files the checkpoint copies, in order, with the offset of their first fact frame. */
  files: Array<{ path: string; start: number }>;
  maxFrameBytes: number;
  lastSeq: number;
  factCount: number;
  /**
   * The image on disk, with the old snapshot's lastSeq and factCount (the first file is that
   * snapshot; `noSnapshot`: there is none, the files are the log alone): the build starts from
   * it when it is intact and tied to them, and replays only the other files (an image an open
   * wrote also covers the log's first frames, which it then skips too).
   */
  base?: { imagePath: string; lastSeq: number; factCount: number; noSnapshot?: boolean };
}

/**
 * Starts writing the checkpoint image of `sources` to `tempPath` off the JS thread (the files
 * are opened before this returns; the native addon replays them on the libuv pool and writes the
 * log's state, unsynced: a CRC-32 guards every part). It is tied to no snapshot until
 * {@link sealCheckpointImage}.
 * Resolves to "" once written, or to why not (no native addon, files that do not give exactly
 * the snapshot's facts, a failed write: the temp file is then removed). Never rejects.
 * Cost: one replay of the files (all but the old snapshot, when its image is usable) and one
 * write of the image, off the JS thread.
 */
export async function buildCheckpointImage(sources: ImageSources, tempPath: string): Promise<string> {
  const load = loadNative();
  if (!load.ok) return load.reason;
  const { buildImage } = load.binding;
  if (typeof buildImage !== 'function') return 'the native addon predates images';
  const numbers = [
    ...sources.files.map((file) => file.start),
    sources.maxFrameBytes,
    sources.lastSeq,
    sources.factCount,
    sources.base?.lastSeq ?? 0,
    sources.base?.factCount ?? 0,
    sources.base?.noSnapshot ? 1 : 0,
  ];
  return buildImage(
    sources.files.map((file) => file.path),
    numbers,
    tempPath,
    sources.base?.imagePath ?? null,
  );
}

/**
 * Ties the image at `imagePath` to the snapshot at `snapshotPath` (declaring `lastSeq` and
 * `factCount`), off the JS thread. Resolves to "" or to why not. Never rejects.
 */
export async function sealCheckpointImage(
  imagePath: string,
  snapshotPath: string,
  lastSeq: number,
  factCount: number,
): Promise<string> {
  const load = loadNative();
  if (!load.ok) return load.reason;
  const { sealImage } = load.binding;
  if (typeof sealImage !== 'function') return 'the native addon predates images';
  return sealImage(imagePath, snapshotPath, lastSeq, factCount);
}
