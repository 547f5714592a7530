import { type EngineChoice, resolveChoice } from '../engine/engine-choice.js';
import type { EngineKind, PreloadedFacts } from '../engine/types.js';
import type { Fact } from '../fact.js';
import { DeferredFacts, type StoreCount } from './deferred-facts.js';
import type { FactCodec } from './fact-codec.js';
import {
  decodingSink,
  type FrameProblem,
  type FrameRange,
  type FrameSink,
  StoreCounter,
  scanFacts,
} from './fact-scan.js';
import type { FrameScan } from './frame-file.js';
import { NativeFactReader } from './native-fact-reader.js';

export type { FrameProblem, FrameRange } from './fact-scan.js';

/** What {@link FactReader.read} found in one data file. */
export interface FramesRead {
  /** The facts kept, decoded: only a decoding reader fills it (the others keep them). */
  facts: Fact[];
  /** Facts kept and their frame bytes, per store. */
  counts: StoreCount[];
  /** Number of facts kept. */
  kept: number;
  /** Highest seq read, kept or not (`afterSeq` when none). */
  maxSeq: number;
  /** Where the intact frames end and what stopped the read (a `rejected` frame: see `problem`). */
  scan: FrameScan;
  problem: FrameProblem | undefined;
}

/** What {@link FactReader.openImage} did: the snapshot's counts, or why the image was refused. */
export type ImageRead =
  | {
      opened: true;
      counts: StoreCount[];
      kept: number;
      maxSeq: number;
      /** Where the log bytes the image covers end: 0 for a checkpoint's image (see `openImage`). */
      logEnd: number;
    }
  | { opened: false; reason: string };

/**
 * What an open replayed and now writes as an image ({@link FactReader.writeImage}): the
 * snapshot (undefined when there is none) and the log up to `logEnd`, with their frames' counts.
 */
export interface OpenImageTarget {
  imagePath: string;
  logPath: string;
  logEnd: number;
  snapshot: { path: string; lastSeq: number; factCount: number } | undefined;
  counts: readonly StoreCount[];
}

/**
 * How a file backend reads the facts of its data files at open, picked once from the engine
 * that will run them ({@link factReaderFor}): into a native log replayed in Rust for the native
 * engine, indexed without decoding ({@link LazyFacts}) for the TS engine, or decoded into fact
 * objects. Every reader applies the same checks and stops at the same frame, so recovery does
 * not depend on which one read.
 */
export interface FactReader {
  /** The engine whose log this reader fills; undefined for a reader that decodes. */
  readonly engine: EngineKind | undefined;
  /**
   * Reads the fact frames of the data file open as `fd` (at `path`, its bodies of `codec`) from
   * `range.start` to the first frame that is damaged or breaks the range's checks.
   * Throws only the system error of a failed read. Cost: one read and CRC pass of the file.
   */
  read(fd: number, path: string, codec: FactCodec, range: FrameRange): FramesRead;
  /** Every fact kept so far as objects, or undefined when only a re-read can build them. */
  facts(): Fact[] | undefined;
  /**
   * Loads the checkpoint image of a snapshot instead of reading the snapshot, when this reader
   * has nothing loaded yet and the image is intact and tied to it (see {@link ImageRead});
   * absent from readers that cannot take an image (the TS engine's).
   */
  openImage?(
    imagePath: string,
    snapshotPath: string,
    lastSeq: number,
    factCount: number,
    logPath?: string,
  ): ImageRead;
  /**
   * Writes what was read (all of it, from the files `target` names) as an image and reads on
   * from it, so the records are file pages instead of memory; returns `''` once done, else why
   * not (nothing changed). Absent from readers that cannot (the TS engine's).
   */
  writeImage?(target: OpenImageTarget): string;
  /** What was read, for the engine of kind `engine` to adopt; undefined for a decoding reader. */
  readonly preloaded: PreloadedFacts | undefined;
}

/** Files this size or larger are decoded rather than indexed (offsets must fit 31 bits). */
const MAX_DEFERRED_FILE_BYTES = 2 ** 31;

/**
 * The reader for a store whose engine choice is `engine` (`IGNITER_ENGINE` included for
 * 'auto'): native when that resolves to the native engine and the addon loads, else one that
 * indexes without decoding, else (for a file of `largestFileBytes` >= 2 GiB) one that decodes.
 * Throws `ERR_INVALID_ARGUMENT` for a bad `IGNITER_ENGINE`. Cost: loads the addon once.
 */
export function factReaderFor(engine: EngineChoice, largestFileBytes = 0): FactReader {
  if (resolveChoice(engine).choice !== 'ts') {
    const native = NativeFactReader.create();
    if (native) return native;
  }
  return largestFileBytes < MAX_DEFERRED_FILE_BYTES ? new DeferringReader() : new DecodingReader();
}

/** Decodes every fact into an object at once (the TS engine's reader for files of 2 GiB or more). */
class DecodingReader implements FactReader {
  readonly engine = undefined;
  readonly preloaded = undefined;
  readonly #facts: Fact[] = [];

  read(fd: number, _path: string, codec: FactCodec, range: FrameRange): FramesRead {
    const counter = new StoreCounter();
    const facts: Fact[] = [];
    const sink = decodingSink(codec, (fact, bytes) => {
      facts.push(fact);
      counter.add(fact.store, 1, bytes);
    });
    const { scan, maxSeq, problem } = scanFacts(fd, range.start, range, sink);
    for (const fact of facts) this.#facts.push(fact);
    return { facts, counts: counter.list(), kept: facts.length, maxSeq, scan, problem };
  }

  facts(): Fact[] {
    return this.#facts;
  }
}

/** Indexes facts without decoding them, for the TS engine (see `DeferredFacts`). */
class DeferringReader implements FactReader {
  readonly engine = 'ts';
  readonly #deferred = new DeferredFacts();

  get preloaded(): PreloadedFacts {
    return this.#deferred;
  }

  read(fd: number, path: string, codec: FactCodec, range: FrameRange): FramesRead {
    const deferred = this.#deferred;
    const before = deferred.count;
    const countsBefore = deferred.storeCounts();
    const sink: FrameSink = {
      stage: (buf, start, end, offset) => deferred.stage(buf, start, end, offset, path, codec),
      keep: () => deferred.commit(),
    };
    // The whole file in one buffer, which the deferred facts keep.
    const { scan, maxSeq, problem } = scanFacts(fd, range.start, range, sink, { wholeFile: true });
    const counter = new StoreCounter();
    for (const count of deferred.storeCounts()) counter.add(count.store, count.facts, count.bytes);
    for (const count of countsBefore) counter.add(count.store, -count.facts, -count.bytes);
    const counts = counter.list().filter((count) => count.facts > 0);
    return { facts: [], counts, kept: deferred.count - before, maxSeq, scan, problem };
  }

  facts(): Fact[] {
    return this.#deferred.facts();
  }
}

/** A reader that decodes every fact into an object (re-reads after open, verification). */
export function decodingFactReader(): FactReader {
  return new DecodingReader();
}
