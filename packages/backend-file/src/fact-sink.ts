import type { Fact } from '@igniter/core';
import type { DeferredFacts, FactCodec } from '@igniter/core/storage';
import { StoreTally } from './store-tally.js';

/**
 * Where a scan of a data file puts the facts it reads: each frame is staged (its seq comes
 * back for the scan's checks) and then kept or skipped.
 */
export interface FactSink {
  /**
   * Reads the body `buf[start, end)` of the frame at file offset `offset`; returns its seq.
   * Throws `ERR_CORRUPT_FRAME` when the body is not a fact.
   */
  stage(buf: Buffer, start: number, end: number, offset: number): number;
  /** Keeps the fact staged last. */
  commit(): void;
  /** Whether `onFrame` may keep the scan's buffer (then the scan reads the whole file at once). */
  readonly keepsBuffer: boolean;
  /** The facts kept, decoded, and their tally; empty for a sink that defers decoding. */
  readonly facts: Fact[];
  readonly tally: StoreTally;
}

/**
 * The sink for a scan of a file of `codec`: `deferring` when given (undefined when it cannot
 * take that codec: the caller then falls back), else one that decodes.
 */
export function sinkFor(codec: FactCodec, deferring: DeferringSink | undefined): FactSink | undefined {
  if (!deferring) return new DecodingSink(codec);
  return deferring.reads(codec) ? deferring : undefined;
}

/** A sink that decodes every fact at once: `facts` and `tally` hold what was kept. */
export class DecodingSink implements FactSink {
  readonly facts: Fact[] = [];
  readonly tally = new StoreTally();
  readonly keepsBuffer = false;
  readonly #codec: FactCodec;
  #staged: Fact | undefined;
  #stagedBytes = 0;

  constructor(codec: FactCodec) {
    this.#codec = codec;
  }

  stage(buf: Buffer, start: number, end: number): number {
    const fact = this.#codec.decode(buf, start, end);
    this.#staged = fact;
    this.#stagedBytes = end - start + 8;
    return fact.seq;
  }

  commit(): void {
    const fact = this.#staged as Fact;
    this.facts.push(fact);
    this.tally.add(fact.store, this.#stagedBytes);
  }
}

/** A sink that indexes facts into `deferred` without decoding them (see `DeferredFacts`). */
export class DeferringSink implements FactSink {
  readonly keepsBuffer = true;
  /** Always empty: the facts are in the `DeferredFacts`. */
  readonly facts: Fact[] = [];
  readonly tally = new StoreTally();
  readonly #deferred: DeferredFacts;
  readonly #path: string;

  constructor(deferred: DeferredFacts, path: string) {
    this.#deferred = deferred;
    this.#path = path;
  }

  /** Whether files of `codec` can be deferred (else they must be decoded). */
  reads(codec: FactCodec): boolean {
    return this.#deferred.reads(codec);
  }

  stage(buf: Buffer, start: number, end: number, offset: number): number {
    return this.#deferred.stage(buf, start, end, offset, this.#path);
  }

  commit(): void {
    this.#deferred.commit();
  }
}
