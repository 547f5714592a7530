import * as fs from 'node:fs';
import {
  buildCheckpointImage,
  type ImageSources,
  imagePathFor,
  metaCount,
  sealCheckpointImage,
  tempPathFor,
} from '@igniter/core/storage';
import { readMetaRecord } from './meta-record.js';

/** An image being written for a checkpoint (see {@link CheckpointImages.start}). */
export interface PendingImage {
  temp: string;
  built: Promise<string>;
  /** The new snapshot's lastSeq and factCount. */
  lastSeq: number;
  factCount: number;
}

/**
 * The checkpoint image of a file store (`<log>.image`; ARCHITECTURE.md "Checkpoint images"): the
 * native log's state, written by each checkpoint while it copies the snapshot's frames, off the
 * JS thread, and tied to the new snapshot; a native-engine open maps it instead of replaying the
 * snapshot. It is never the truth: one tied to another snapshot, damaged or missing is refused
 * at open and the snapshot replayed. Rewrites (compaction, prune) remove it before they write,
 * so a dropped fact's bytes do not outlive them in it.
 */
export class CheckpointImages {
  /** The image file. */
  readonly path: string;
  /** Why the last checkpoint kept no image; null after one was kept. */
  lastRefusal: string | null = null;
  /** The builds being finished (never rejects): `close()` waits for them. */
  #building: Promise<void> | undefined;
  /** A build a rewrite made stale, until its temp file is gone (see {@link removeForRewrite}). */
  #discarding: Promise<void> | undefined;

  constructor(logPath: string) {
    this.path = imagePathFor(logPath);
  }

  /**
   * What a build can start from: this image, with the counts of the old snapshot open as `fd`
   * (the build checks that the image is tied to it); undefined without an image file.
   */
  base(snapshotFd: number, maxFrameBytes: number): ImageSources['base'] {
    if (!fs.existsSync(this.path)) return undefined;
    const head = readMetaRecord(snapshotFd, maxFrameBytes, 'snapshot', (meta) => ({
      lastSeq: metaCount(meta, 'lastSeq'),
      factCount: metaCount(meta, 'factCount'),
    }));
    return head.kind === 'meta' ? { imagePath: this.path, ...head.value } : undefined;
  }

  /**
   * What a build of the first checkpoint (no snapshot yet) can start from: this image when
   * there is one (only an image an open wrote, tied to the log alone, can be used).
   */
  baseWithoutSnapshot(): ImageSources['base'] {
    return fs.existsSync(this.path)
      ? { imagePath: this.path, lastSeq: 0, factCount: 0, noSnapshot: true }
      : undefined;
  }

  /** Starts writing the image of what a checkpoint copies (`sources`) to a temp file. */
  start(sources: ImageSources): PendingImage {
    const temp = tempPathFor(this.path);
    const { lastSeq, factCount } = sources;
    return { temp, built: buildCheckpointImage(sources, temp), lastSeq, factCount };
  }

  /**
   * Waits for `pending`; when it was written and `keep()` holds (the checkpoint put its snapshot
   * at `snapshotPath` in place and no rewrite or close came since), ties it to that snapshot and
   * renames it into place; in every other case (a failed rename included) removes the temp file.
   * Never rejects.
   */
  async finish(pending: PendingImage, snapshotPath: string, keep: () => boolean): Promise<void> {
    try {
      let refused = await pending.built;
      if (refused === '' && keep())
        refused = await sealCheckpointImage(pending.temp, snapshotPath, pending.lastSeq, pending.factCount);
      else if (refused === '') refused = 'the checkpoint did not put its snapshot in place';
      if (refused === '' && keep()) {
        try {
          // Removed first, not renamed over: ext4 flushes a file renamed over another one before
          // the rename returns (auto_da_alloc), which for an image of 1M facts held the event
          // loop for 100-150 ms. The old image is stale once the new snapshot is in place, and
          // no image at all only means the next open replays.
          fs.rmSync(this.path, { force: true });
          fs.renameSync(pending.temp, this.path);
        } catch (error) {
          // An accelerator that cannot be put in place (e.g. the old one mapped on Windows)
          // fails nothing: the next open replays the snapshot.
          refused = `the image could not be put in place: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      this.lastRefusal = refused === '' ? null : refused;
    } finally {
      fs.rmSync(pending.temp, { force: true });
    }
  }

  /**
   * {@link finish}es `pending` in the background. Every build still running is waited for by
   * {@link settled}: an earlier one is discarded when done (its snapshot was replaced), and
   * removes its temp file.
   */
  finishInBackground(pending: PendingImage, snapshotPath: string, keep: () => boolean): void {
    const building = this.finish(pending, snapshotPath, keep);
    const earlier = this.#building;
    this.#building = earlier ? Promise.all([earlier, building]).then(() => undefined) : building;
  }

  /** Resolves once every build started so far is done (undefined when none was); never rejects. */
  settled(): Promise<void> | undefined {
    return this.#building;
  }

  /**
   * Before a rewrite: removes the image, which holds the facts a prune drops (a later checkpoint
   * writes a new one); a build still running is discarded when done (its generation is gone),
   * and {@link discarded} waits for that. Throws the system error of a failed removal.
   */
  removeForRewrite(): void {
    fs.rmSync(this.path, { force: true });
    this.#discarding = this.#building;
  }

  /** Resolves once the builds a rewrite made stale have removed their temp files. */
  discarded(): Promise<void> | undefined {
    return this.#discarding;
  }
}
