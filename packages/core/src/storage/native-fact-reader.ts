import { factParts, PreloadedFactLoader } from '../engine/preloaded-fact-loader.js';
import { PreloadedLog } from '../engine/preloaded-log.js';
import type { PreloadedFacts } from '../engine/types.js';
import { tempPathFor } from './atomic-file.js';
import type { FactCodec } from './fact-codec.js';
import type { FactReader, FramesRead, ImageRead, OpenImageTarget } from './fact-reader.js';
import { decodingSink, type FrameProblem, type FrameRange, StoreCounter, scanFacts } from './fact-scan.js';
import { brokenBatchAt, type FrameDamageReason, type FrameScan, findNextFrame } from './frame-file.js';

/** Read size when the JS decoder judges one frame the native reader left to it. */
const JUDGE_CHUNK_BYTES = 64 * 1024;

/**
 * Replays data files into a native log for the native engine (DESIGN D8, D9): frames are read,
 * CRC-checked and parsed in Rust, no fact crossing into JS. A frame the Rust reader does not
 * take as is (a body not in the plain form, a seq out of order, a value it rejects) is judged
 * by the JS decoder, which loads it or names what is wrong, and the native replay resumes after
 * it; so the native reader stops exactly where a decoding reader would.
 */
export class NativeFactReader implements FactReader {
  readonly engine = 'native';
  readonly #log: PreloadedLog;
  readonly #loader: PreloadedFactLoader;

  private constructor(log: PreloadedLog) {
    this.#log = log;
    this.#loader = new PreloadedFactLoader(log);
  }

  /** A reader into a new native log, or undefined when the addon does not load. */
  static create(): NativeFactReader | undefined {
    const log = PreloadedLog.forEngine('native');
    return log && new NativeFactReader(log);
  }

  get preloaded(): PreloadedFacts {
    return this.#log;
  }

  read(fd: number, path: string, codec: FactCodec, range: FrameRange): FramesRead {
    const counter = new StoreCounter();
    let kept = 0;
    let start = range.start;
    let afterSeq = range.afterSeq;
    for (;;) {
      const result = this.#log.replayFile(path, {
        start,
        maxFrameBytes: range.maxFrameBytes,
        afterSeq,
        maxSeq: range.maxSeq,
        skipThrough: range.skipThrough,
      });
      result.tallyStores.forEach((store, i) => {
        counter.add(store, result.tallyFacts[i] as number, result.tallyBytes[i] as number);
      });
      kept += result.loaded;
      afterSeq = Math.max(afterSeq, result.maxSeq);
      const read = (scan: FrameScan, problem?: FrameProblem): FramesRead => ({
        facts: [],
        counts: counter.list(),
        kept,
        maxSeq: afterSeq,
        scan,
        problem,
      });
      if (result.stop === 'end') return read({ size: result.size, end: result.end, damage: null });
      if (result.stop === 'broken-batch') {
        const offset = result.stopOffset;
        return read({
          size: result.size,
          end: offset,
          damage: brokenBatchAt(fd, offset, result.size, range.maxFrameBytes),
        });
      }
      if (result.stop !== 'unsupported') {
        const offset = result.stopOffset;
        const reason = result.stop as FrameDamageReason;
        const nextFrameAt = findNextFrame(fd, offset + 1, result.size, range.maxFrameBytes);
        return read({ size: result.size, end: offset, damage: { offset, reason, nextFrameAt } });
      }
      // The JS decoder judges the frame the replay stopped at (after a failed read, it reads
      // the rest itself and raises the system error).
      const failedRead = result.stopOffset < 0;
      const judged = this.#judge(
        fd,
        failedRead ? start : result.stopOffset,
        codec,
        { ...range, afterSeq },
        counter,
        failedRead,
      );
      kept += judged.kept;
      afterSeq = judged.maxSeq;
      if (!judged.paused) return read(judged.scan, judged.problem);
      start = judged.scan.end;
    }
  }

  /** Decodes frames from `from` in JS, loading those kept: one frame, or all with `rest`. */
  #judge(
    fd: number,
    from: number,
    codec: FactCodec,
    range: FrameRange,
    counter: StoreCounter,
    rest: boolean,
  ) {
    const loader = this.#loader;
    let kept = 0;
    const sink = decodingSink(codec, (fact, bytes) => {
      loader.add(factParts(fact));
      loader.finish();
      counter.add(fact.store, 1, bytes);
      kept += 1;
    });
    const options = rest ? {} : { limit: 1, chunkBytes: JUDGE_CHUNK_BYTES };
    return { ...scanFacts(fd, from, range, sink, options), kept };
  }

  facts(): undefined {
    return undefined;
  }

  openImage(
    imagePath: string,
    snapshotPath: string,
    lastSeq: number,
    factCount: number,
    logPath?: string,
  ): ImageRead {
    const result = this.#log.openImage(imagePath, snapshotPath, lastSeq, factCount, logPath);
    if (!result.opened) return { opened: false, reason: result.reason ?? 'refused' };
    const counter = new StoreCounter();
    result.tallyStores.forEach((store, i) => {
      counter.add(store, result.tallyFacts[i] as number, result.tallyBytes[i] as number);
    });
    const logEnd = result.logEnd ?? 0;
    return { opened: true, counts: counter.list(), kept: result.loaded, maxSeq: result.maxSeq, logEnd };
  }

  writeImage(target: OpenImageTarget): string {
    const { snapshot, counts } = target;
    const tallyNumbers = new Float64Array(counts.length * 2);
    counts.forEach((count, i) => {
      tallyNumbers[2 * i] = count.facts;
      tallyNumbers[2 * i + 1] = count.bytes;
    });
    const paths = {
      imagePath: target.imagePath,
      tempPath: tempPathFor(target.imagePath),
      logPath: target.logPath,
      snapshotPath: snapshot?.path ?? '',
    };
    const numbers = Float64Array.of(target.logEnd, snapshot?.lastSeq ?? 0, snapshot?.factCount ?? 0);
    return this.#log.writeImage(
      paths,
      numbers,
      counts.map((count) => count.store),
      tallyNumbers,
    );
  }
}
