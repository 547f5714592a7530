/**
 * A store's clock (ARCHITECTURE.md D3): reads the wall clock, and dates each commit no earlier than the
 * last one, so a clock that steps back does not reorder history.
 */
export class TransactionClock {
  readonly #wallClock: () => number;
  #lastTransactionTime = Number.NEGATIVE_INFINITY;

  constructor(wallClock: () => number) {
    this.#wallClock = wallClock;
  }

  /** The wall clock, in ms. */
  now(): number {
    return this.#wallClock();
  }

  /** The transaction time of the next commit: integer ms, never below the last commit's. */
  next(): number {
    return Math.floor(Math.max(this.#wallClock(), this.#lastTransactionTime));
  }

  /** Records the transaction time of the last committed (or replayed) fact. */
  committed(transactionTime: number): void {
    this.#lastTransactionTime = transactionTime;
  }

  /** True when no later commit can change an answer as of `asOf`. */
  isSettled(asOf: number | undefined): boolean {
    return asOf !== undefined && asOf < this.#lastTransactionTime;
  }
}
