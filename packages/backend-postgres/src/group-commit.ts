import { type Fact, IgniterError } from '@igniter/core';
import { FactColumns } from './fact-rows.js';

/** When facts reach PostgreSQL: in batches as they come (`group`) or only on `flush()` (`sync`). */
export type PostgresDurability = 'group' | 'sync';

/** One unit of work for the commit connection, committed atomically and in queue order. */
export type CommitOp =
  /** Append these facts. */
  | { kind: 'facts'; rows: FactColumns }
  /** Append `rows`, delete the rows with seqs `deleteSeqs`, raise the high water to `lastSeq`. */
  | { kind: 'rewrite'; rows: FactColumns; deleteSeqs: number[]; lastSeq: number };

interface Waiter {
  through: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Facts per insert statement: large enough to amortize the round trip, small enough to keep latency. */
const MAX_BATCH_FACTS = 4096;

/**
 * Group commit for one writer: facts are queued synchronously and committed in order by `run`
 * (one statement or transaction per op). With `group`, at most one batch is sealed per
 * `groupCommitMs`: a fact written when the last batch was sealed longer ago than that is sealed
 * at the end of the current event-loop turn (a synchronous burst still goes as one batch, and an
 * idle writer's first fact waits for no timer); otherwise its batch is sealed when the window
 * ends, or at once when it is full. With `sync`, only `flush()` seals. The first failed op
 * fails the queue for good: every waiting and later `flush()` rejects with that error and `add`
 * throws it, so nothing is ever committed after a failure (the writer may have lost its lock
 * with its connection).
 */
export class GroupCommit {
  readonly #run: (op: CommitOp) => Promise<void>;
  readonly #durability: PostgresDurability;
  readonly #groupCommitMs: number;
  readonly #onFailure: (error: IgniterError) => void;
  readonly #queue: Array<{ op: CommitOp; number: number }> = [];
  readonly #waiters: Waiter[] = [];
  #pending = new FactColumns();
  #sealed = 0;
  #done = 0;
  #running = false;
  /** The pending seal: an immediate (the window had passed) or a timer (the window's end). */
  #timer: { clear: () => void } | undefined;
  /** When the last batch was sealed (`performance.now()`). */
  #sealedAt = Number.NEGATIVE_INFINITY;
  #failure: IgniterError | undefined;

  constructor(
    run: (op: CommitOp) => Promise<void>,
    options: {
      durability: PostgresDurability;
      groupCommitMs: number;
      onFailure: (error: IgniterError) => void;
    },
  ) {
    this.#run = run;
    this.#durability = options.durability;
    this.#groupCommitMs = options.groupCommitMs;
    this.#onFailure = options.onFailure;
  }

  /** The error that stopped the queue, if any. */
  get failure(): IgniterError | undefined {
    return this.#failure;
  }

  /**
   * Queues `fact` (already checked) for the next batch. Throws the queue's failure. With `more`,
   * facts of the same `writeMany` follow and the batch is not sealed before them (one op commits
   * a whole `writeMany`).
   */
  add(fact: Fact, valueJson: string, more = false): void {
    if (this.#failure) throw this.#failure;
    this.#pending.add(fact, valueJson);
    if (this.#durability === 'sync' || more) return;
    if (this.#pending.length >= MAX_BATCH_FACTS) {
      this.#seal();
      this.#drain();
    } else if (this.#timer === undefined) {
      this.#armSeal();
    }
  }

  /** Seals the pending batch at the end of this turn, or when the current window ends. */
  #armSeal(): void {
    const fire = () => {
      this.#timer = undefined;
      this.#seal();
      this.#drain();
    };
    const wait = this.#sealedAt + this.#groupCommitMs - performance.now();
    if (wait <= 0) {
      const immediate = setImmediate(fire);
      this.#timer = { clear: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(fire, wait);
      this.#timer = { clear: () => clearTimeout(timer) };
    }
  }

  /** Queues a rewrite after every fact queued so far. Throws the queue's failure. */
  rewrite(rows: FactColumns, deleteSeqs: number[], lastSeq: number): void {
    if (this.#failure) throw this.#failure;
    this.#seal();
    this.#enqueue({ kind: 'rewrite', rows, deleteSeqs, lastSeq });
    if (this.#durability === 'group') this.#drain();
  }

  /**
   * Resolves once everything queued before the call is committed; rejects with the queue's
   * failure. Cost: waits for the batches in flight plus one more.
   */
  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#seal();
    const through = this.#sealed;
    if (this.#done >= through) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.#waiters.push({ through, resolve, reject }));
    this.#drain();
    return waiting;
  }

  /** Stops for good with `error` (the connection was lost or closed): nothing more is committed. */
  fail(error: IgniterError): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#timer?.clear();
    this.#timer = undefined;
    this.#queue.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#onFailure(error);
  }

  #seal(): void {
    if (this.#pending.length === 0) return;
    this.#sealedAt = performance.now();
    const rows = this.#pending;
    this.#pending = new FactColumns();
    this.#enqueue({ kind: 'facts', rows });
  }

  #enqueue(op: CommitOp): void {
    this.#sealed += 1;
    this.#queue.push({ op, number: this.#sealed });
  }

  #drain(): void {
    if (this.#running || this.#failure) return;
    this.#running = true;
    void this.#runQueued();
  }

  /**
   * Takes the appends queued right behind the append `head` into it, up to a batch's size, so
   * that the batches sealed while a commit was in flight go as one statement (each whole: a
   * `writeMany` stays in one transaction).
   */
  #coalesce(head: { op: CommitOp; number: number }): void {
    const { op } = head;
    if (op.kind !== 'facts') return;
    for (;;) {
      const following = this.#queue[0];
      if (following?.op.kind !== 'facts') return;
      if (op.rows.length + following.op.rows.length > MAX_BATCH_FACTS) return;
      this.#queue.shift();
      op.rows.append(following.op.rows);
      head.number = following.number;
    }
  }

  /** Runs queued ops until none is left; `#running` drops in the same turn as the last check. */
  async #runQueued(): Promise<void> {
    for (;;) {
      const next = this.#queue.shift();
      if (!next || this.#failure) {
        this.#running = false;
        return;
      }
      this.#coalesce(next);
      try {
        await this.#run(next.op);
      } catch (error) {
        this.#running = false;
        this.fail(
          error instanceof IgniterError
            ? error
            : new IgniterError(
                'ERR_CLOSED',
                `a commit to PostgreSQL failed; the writer stops: ${String(error)}`,
                {
                  cause: error,
                },
              ),
        );
        return;
      }
      this.#done = next.number;
      for (let i = 0; i < this.#waiters.length; ) {
        const waiter = this.#waiters[i] as Waiter;
        if (waiter.through <= this.#done) {
          this.#waiters.splice(i, 1);
          waiter.resolve();
        } else {
          i++;
        }
      }
    }
  }
}
