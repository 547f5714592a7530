import { checkInput } from './args.js';
import { IgniterError } from './errors.js';
import { WAIT_FOR_SEQ_FIELDS } from './input-fields.js';

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The callers of `store.waitForSeq`: each resolves once the store has applied facts up to its
 * seq (`reached`), rejects with `ERR_TIMEOUT` past its deadline, or with the store's end
 * (`fail`). Cost: O(waiters) per `reached`.
 */
export class SeqWaiters {
  readonly #waiting: Waiter[] = [];

  /** Resolves once `reached(n)` is called with `n >= seq`; `current` is the seq applied now. */
  wait(seq: number, current: number, timeoutMs: number | undefined): Promise<void> {
    if (current >= seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { seq, resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.#drop(waiter);
          reject(
            new IgniterError('ERR_TIMEOUT', `seq ${seq} was not applied within ${timeoutMs} ms`, {
              details: { seq, timeoutMs },
            }),
          );
        }, timeoutMs);
      }
      this.#waiting.push(waiter);
    });
  }

  /** Resolves every waiter whose seq is at most `seq`. */
  reached(seq: number): void {
    if (this.#waiting.length === 0) return;
    for (const waiter of [...this.#waiting]) {
      if (waiter.seq > seq) continue;
      this.#drop(waiter);
      waiter.resolve();
    }
  }

  /** Rejects every waiter with `error` (the store closed). */
  fail(error: unknown): void {
    for (const waiter of [...this.#waiting]) {
      this.#drop(waiter);
      waiter.reject(error);
    }
  }

  #drop(waiter: Waiter): void {
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    const at = this.#waiting.indexOf(waiter);
    if (at !== -1) this.#waiting.splice(at, 1);
  }
}

/** Checks `store.waitForSeq`'s arguments and returns the timeout; throws `ERR_INVALID_ARGUMENT`. */
export function checkWaitForSeq(seq: number, options: { timeoutMs?: number }): number | undefined {
  checkInput(options, 'waitForSeq options', WAIT_FOR_SEQ_FIELDS);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'seq must be an integer >= 0');
  }
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'timeoutMs must be a number >= 0');
  }
  return timeoutMs;
}
