import type { Fact, SegmentInfo } from '@igniter/core';
import { crc32, type FactCodec, GroupCommitWriter } from '@igniter/core/storage';
import type { GroupSync } from './group-sync.js';
import { segmentPath } from './layout.js';
import type { ResolvedOptions } from './options.js';
import type { SegmentSummary } from './records.js';
import { createSegmentFile } from './segment-file.js';
import type { StoreSegments } from './store-segments.js';

/** The start of the time bucket of `time`, or null when time buckets are off. */
export function bucketOf(time: number, durationMs: number | null): number | null {
  return durationMs === null ? null : Math.floor(time / durationMs) * durationMs;
}

/**
 * The segment of a store that takes new facts: an open file, its group-commit writer and the
 * running figures its manifest will record when it is sealed.
 */
export class LiveSegment {
  readonly writer: GroupCommitWriter;
  readonly summary: SegmentSummary;
  /** Time bucket of the first fact, null when empty or buckets are off. */
  private bucket: number | null;
  /** Facts decoded when the segment was resumed, for the first replay; dropped on write. */
  private resumed: Fact[] | undefined;
  /**
   * Bytes of the segment known to be on disk, as the catalog lists them: 0 when started, its
   * whole size after a clean close (a live segment only grows until it is sealed).
   */
  listedBytes = 0;
  /**
   * False for a segment resumed with a version 1 header (written before batch markers): a
   * batch's part then goes to a new segment, so that a release that knows only version 1 never
   * meets a marker.
   */
  takesParts = true;

  /**
   * Takes over `fd` (the open segment file of `codec`, intact up to `summary.byteSize`), holding
   * seqs up to `lastSeq`; in `'group'` mode its fsyncs are left to `groupSync`. Never throws.
   * Cost: constant.
   */
  constructor(
    readonly path: string,
    readonly segment: number,
    readonly generation: number,
    readonly codec: FactCodec,
    fd: number,
    summary: SegmentSummary,
    lastSeq: number,
    private readonly options: ResolvedOptions,
    private readonly groupSync: GroupSync | undefined,
    resumed?: Fact[],
  ) {
    this.summary = { ...summary };
    const { groupCommitMs, groupCommitBytes } = options;
    const durability = groupSync ? 'none' : options.durability;
    this.writer = new GroupCommitWriter(
      fd,
      summary.byteSize,
      lastSeq,
      durability,
      groupCommitMs,
      groupCommitBytes,
    );
    this.bucket = summary.minTime === null ? null : bucketOf(summary.minTime, options.segmentDurationMs);
    this.resumed = resumed;
  }

  /**
   * True when a frame of `frameBytes` for a fact at `time` must go to a new segment: this one
   * holds facts and would pass `maxSegmentBytes` or `maxSegmentFacts`, or the fact falls in
   * another time bucket. Cost: constant.
   */
  isFullFor(frameBytes: number, time: number): boolean {
    if (this.summary.factCount === 0) return false;
    const { maxSegmentBytes, maxSegmentFacts, segmentDurationMs } = this.options;
    return (
      this.summary.factCount >= maxSegmentFacts ||
      this.writer.size + frameBytes > maxSegmentBytes ||
      bucketOf(time, segmentDurationMs) !== this.bucket
    );
  }

  /**
   * True when a batch part of `count` facts taking `bytes` bytes (marker included), the first
   * fact at `time`, must go to a new segment: this one cannot hold markers, or holds facts and
   * would pass a limit with it (a part is never split; a part larger than a segment gets an
   * empty one to itself). Cost: constant.
   */
  isFullForPart(count: number, bytes: number, time: number): boolean {
    if (!this.takesParts) return true;
    if (this.summary.factCount === 0) return false;
    const { maxSegmentBytes, maxSegmentFacts, segmentDurationMs } = this.options;
    return (
      this.summary.factCount + count > maxSegmentFacts ||
      this.writer.size + bytes > maxSegmentBytes ||
      bucketOf(time, segmentDurationMs) !== this.bucket
    );
  }

  /**
   * Appends a batch part (`bytes`: its marker and the frames of `facts`) in one write per the
   * durability mode. A call that throws has added nothing. Throws as {@link append}.
   */
  appendPart(bytes: Buffer, facts: readonly Fact[]): void {
    const last = facts.at(-1) as Fact;
    this.groupSync?.beforeAppend(bytes.length);
    this.writer.append(bytes, last.seq);
    this.groupSync?.appended(this.writer, bytes.length);
    this.resumed = undefined;
    for (const fact of facts) this.note(fact);
    this.summary.byteSize += bytes.length;
    this.summary.checksum = crc32(bytes, this.summary.checksum);
  }

  /**
   * Appends the frame of `fact` per the durability mode. A call that throws has added nothing.
   * Throws the system error of a failed write or fsync (the segment then refuses writes).
   * Cost: that of {@link GroupCommitWriter.append}, plus a CRC pass over the frame.
   */
  append(frame: Buffer, fact: Fact): void {
    this.groupSync?.beforeAppend(frame.length);
    this.writer.append(frame, fact.seq);
    this.groupSync?.appended(this.writer, frame.length);
    this.resumed = undefined;
    this.note(fact);
    this.summary.byteSize += frame.length;
    this.summary.checksum = crc32(frame, this.summary.checksum);
  }

  /** Counts `fact` in the running figures. */
  private note(fact: Fact): void {
    const s = this.summary;
    if (s.factCount === 0) this.bucket = bucketOf(fact.transactionTime, this.options.segmentDurationMs);
    s.factCount += 1;
    s.minSeq ??= fact.seq;
    s.maxSeq = fact.seq;
    s.minTime = Math.min(s.minTime ?? fact.transactionTime, fact.transactionTime);
    s.maxTime = Math.max(s.maxTime ?? fact.transactionTime, fact.transactionTime);
  }

  /** Makes the segment durable and closes it. Throws the system error of a failed fsync. */
  closeSync(): void {
    this.groupSync?.forget(this.writer);
    this.writer.closeSync();
  }

  /** Makes the segment durable and closes it. Rejects with the system error of a failed fsync. */
  close(): Promise<void> {
    this.groupSync?.forget(this.writer);
    return this.writer.close();
  }

  /** Closes the segment without making buffered frames durable (it is being replaced). Never throws. */
  discard(): void {
    this.groupSync?.forget(this.writer);
    this.writer.discard();
  }

  /** The facts read when the segment was resumed, once, if nothing was written since. */
  takeResumedFacts(): Fact[] | undefined {
    const facts = this.resumed;
    this.resumed = undefined;
    return facts;
  }

  /** This segment as `segmentManifest()` lists it. */
  info(): SegmentInfo {
    const { factCount, minSeq, maxSeq, minTime, maxTime } = this.summary;
    const byteSize = this.writer.size;
    const codec = this.codec.name;
    return {
      segment: this.segment,
      sealed: false,
      minSeq,
      maxSeq,
      minTime,
      maxTime,
      factCount,
      byteSize,
      codec,
    };
  }
}

/** What {@link startLiveSegment} needs besides the store. */
export interface NewSegment {
  /** The segment number (allocated by the catalog). */
  segment: number;
  codec: FactCodec;
  /** The highest seq written so far. */
  lastSeq: number;
  options: ResolvedOptions;
  groupSync: GroupSync | undefined;
}

/**
 * Creates segment file number `segment` in `store`'s folder (header written and fsynced) and
 * makes it the store's live segment. Throws the system error of a failed create.
 */
export function startLiveSegment(store: StoreSegments, next: NewSegment): LiveSegment {
  const { segment, codec } = next;
  const path = segmentPath(store.folder, segment, 'log');
  const head = { store: store.name, segment, generation: store.generation };
  const { fd, size, checksum } = createSegmentFile(path, head, codec);
  const summary = {
    factCount: 0,
    byteSize: size,
    minSeq: null,
    maxSeq: null,
    minTime: null,
    maxTime: null,
    checksum,
  };
  store.live = new LiveSegment(
    path,
    segment,
    store.generation,
    codec,
    fd,
    summary,
    next.lastSeq,
    next.options,
    next.groupSync,
  );
  return store.live;
}
