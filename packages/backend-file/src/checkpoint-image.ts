import * as fs from 'node:fs';
import {
  buildCheckpointImage,
  imagePathFor,
  type SnapshotImageSource,
  tempPathFor,
} from '@igniter/core/storage';

/**
 * The checkpoint image of a file store (`<log>.image`, ARCHITECTURE.md "Checkpoint images"): an
 * accelerator written after each checkpoint from the new snapshot, off the JS thread, that a
 * native-engine open maps instead of replaying the snapshot. It is never the truth: an image
 * tied to another snapshot, damaged or missing is refused at open and the snapshot replayed.
 * Rewrites (compaction, prune) remove it before they write, so a dropped fact's bytes do not
 * outlive them there.
 */
export class CheckpointImages {
  /** The image file. */
  readonly path: string;
  #running: Promise<void> | undefined;
  /** Why the last build wrote no image (for tests and diagnostics); null after a written one. */
  lastRefusal: string | null = null;

  constructor(logPath: string) {
    this.path = imagePathFor(logPath);
  }

  /**
   * Starts building the image of the snapshot `source` describes; it is renamed into place only
   * if `current()` still holds when it is written (no rewrite or close came between), else
   * removed. A build waits for the one before it. Never throws; see {@link settled}.
   */
  build(source: SnapshotImageSource, current: () => boolean): void {
    const previous = this.#running ?? Promise.resolve();
    const running = previous.then(async () => {
      if (!current()) return;
      const temp = tempPathFor(this.path);
      const refused = await buildCheckpointImage(source, temp);
      this.lastRefusal = refused === '' ? null : refused;
      try {
        if (refused === '' && current()) fs.renameSync(temp, this.path);
      } finally {
        fs.rmSync(temp, { force: true });
      }
    });
    const tracked = running
      .catch((error: unknown) => {
        this.lastRefusal = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        if (this.#running === tracked) this.#running = undefined;
      });
    this.#running = tracked;
  }

  /** Resolves when no build is running. Never rejects. */
  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** Removes the image (before a rewrite). Throws the system error of a failed removal. */
  remove(): void {
    fs.rmSync(this.path, { force: true });
  }
}
