import type { Backend } from './backend.js';
import type { Engine } from './engine/types.js';

/**
 * A store's checkpoints that run in the background (a file store copies its stored frames off
 * the event loop): `checkpoint()` starts one and returns,
 * `flush()` waits for them and rejects once with the first failure since it last reported. A
 * failure changes nothing on disk (the old files stay the truth) and is also emitted as an
 * `IGNITER_CHECKPOINT_FAILED` warning, so it is seen even when nobody flushes.
 */
export class CheckpointRunner {
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  /**
   * Checkpoints `backend` at `log`'s last seq: in the background when the backend can
   * (`Backend.checkpoint`), else by writing the snapshot now; nothing in memory.
   */
  checkpoint(backend: Backend | undefined, log: Engine): void {
    const meta = { lastSeq: log.lastSeq() };
    const inBackground = backend?.checkpoint?.bind(backend);
    if (inBackground) this.start(() => inBackground(meta));
    else backend?.writeSnapshot?.(log.all(), meta);
  }

  /**
   * Waits for the started checkpoints, then flushes `backend`; throws a checkpoint's failure
   * once the flush is done.
   */
  async flush(backend: Backend | undefined): Promise<void> {
    // Checkpoints first: a backend flush then never waits across the checkpoint's last step,
    // which swaps the file the writer writes to (a native writer's waiter could be left behind).
    const checkpoint = await this.settle().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    await backend?.flush();
    if (checkpoint) throw checkpoint.error;
  }

  /** Starts `run` now (the backend orders concurrent checkpoints) and keeps track of it. */
  start(run: () => Promise<void>): void {
    const running: Promise<void> = run()
      .catch((error: unknown) => {
        this.#failure ??= { error };
        const message = error instanceof Error ? error.message : String(error);
        process.emitWarning(`checkpoint failed, nothing changed: ${message}`, {
          code: 'IGNITER_CHECKPOINT_FAILED',
        });
      })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Waits for every started checkpoint; throws the first failure not reported yet. */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure) throw failure.error;
  }
}
