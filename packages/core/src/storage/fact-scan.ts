import type { Fact } from '../fact.js';
import type { StoreCount } from './deferred-facts.js';
import type { FactCodec } from './fact-codec.js';
import { type FrameScan, scanFrameFile } from './frame-file.js';

/** Which fact frames of a data file a {@link FactReader} takes, and the checks on their seqs. */
export interface FrameRange {
  /** Offset of the first fact frame (after the metadata record). */
  start: number;
  /** Largest frame body accepted. */
  maxFrameBytes: number;
  /** Every fact's seq must be above this and above the previous fact's. */
  afterSeq: number;
  /** Every fact's seq must be at most this (`Infinity` for no bound). */
  maxSeq: number;
  /** Facts up to this seq are read and checked but not kept. */
  skipThrough: number;
  /** What is wrong with a fact of seq `seq` after one of `previous` that breaks the bounds. */
  seqProblem(seq: number, previous: number): string;
}

/** Why a frame that passed its CRC was not taken. */
export interface FrameProblem {
  why: string;
  cause?: unknown;
}

/** One fact frame as a reader stages it: returns its seq; `keep` then keeps it. */
export interface FrameSink {
  stage(buf: Buffer, start: number, end: number, offset: number): number;
  keep(bytes: number): void;
}

/**
 * Runs the range's checks over the frames of `fd` from `start`, staging each into `sink` and
 * keeping those above `skipThrough`. With `limit`, stops (as a `rejected` frame with no
 * problem) before the frame after the first `limit` ones. Cost: one read and CRC pass.
 */
export function scanFacts(
  fd: number,
  start: number,
  range: FrameRange,
  sink: FrameSink,
  options: { wholeFile?: boolean; limit?: number; chunkBytes?: number } = {},
): { scan: FrameScan; maxSeq: number; problem: FrameProblem | undefined; paused: boolean } {
  let maxSeq = range.afterSeq;
  let problem: FrameProblem | undefined;
  let judged = 0;
  let paused = false;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const scan = scanFrameFile(fd, {
    start,
    maxFrameBytes: range.maxFrameBytes,
    wholeFile: options.wholeFile ?? false,
    ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
    onFrame(buf, bodyStart, bodyEnd, offset) {
      if (judged === limit) {
        paused = true;
        return false;
      }
      judged += 1;
      try {
        const seq = sink.stage(buf, bodyStart, bodyEnd, offset);
        if (seq <= maxSeq || seq > range.maxSeq) {
          problem = { why: range.seqProblem(seq, maxSeq) };
          return false;
        }
        maxSeq = seq;
        if (seq > range.skipThrough) sink.keep(bodyEnd - bodyStart + 8);
        return true;
      } catch (error) {
        problem = { why: error instanceof Error ? error.message : String(error), cause: error };
        return false;
      }
    },
  });
  return { scan, maxSeq, problem, paused };
}

/** Per-store fact and byte counts. */
export class StoreCounter {
  readonly #counts = new Map<string, StoreCount>();

  add(store: string, facts: number, bytes: number): void {
    const count = this.#counts.get(store);
    if (count) {
      count.facts += facts;
      count.bytes += bytes;
    } else {
      this.#counts.set(store, { store, facts, bytes });
    }
  }

  list(): StoreCount[] {
    return [...this.#counts.values()];
  }
}

/** A sink that decodes each frame of `codec` and hands the facts kept to `keep`. */
export function decodingSink(codec: FactCodec, keep: (fact: Fact, bytes: number) => void): FrameSink {
  let staged: Fact | undefined;
  return {
    stage(buf, start, end) {
      staged = codec.decode(buf, start, end);
      return staged.seq;
    },
    keep(bytes) {
      keep(staged as Fact, bytes);
    },
  };
}
