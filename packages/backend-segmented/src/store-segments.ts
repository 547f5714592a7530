import type { SegmentInfo } from '@igniter/core';
import type { LiveSegment } from './live-segment.js';
import type { ManifestRecord, PurgeRecord } from './records.js';

/** Everything the backend knows about one store: its folder, generation and segments. */
export class StoreSegments {
  /** Sealed segments of the current generation, by segment number. */
  sealed: ManifestRecord[] = [];
  /** The segment that takes new facts, once one was started. */
  live: LiveSegment | undefined;

  /** Receipts of purged segments, by segment number. */
  readonly purged: PurgeRecord[] = [];
  /** Seq ranges of purged segments, sorted and disjoint, for {@link isPurged}. */
  private purgedRanges: Array<[number, number]> | undefined;

  /**
   * @param name the store name
   * @param folder absolute path of the store's folder
   * @param generation the store's generation in the catalog
   */
  constructor(
    readonly name: string,
    readonly folder: string,
    public generation: number,
  ) {}

  /** Live facts stored, sealed and live segments together. Cost: O(segments). */
  get factCount(): number {
    return this.sealed.reduce((n, m) => n + m.factCount, this.live?.summary.factCount ?? 0);
  }

  /** Bytes of the store's segment files (buffered writes included). Cost: O(segments). */
  get byteSize(): number {
    return this.sealed.reduce((n, m) => n + m.byteSize, this.live?.writer.size ?? 0);
  }

  /** Smallest and largest seq stored, or null when empty. Cost: O(segments). */
  seqBounds(): { min: number; max: number } | null {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const s of [...this.sealed, ...(this.live ? [this.live.summary] : [])]) {
      if (s.minSeq !== null && s.minSeq < min) min = s.minSeq;
      if (s.maxSeq !== null && s.maxSeq > max) max = s.maxSeq;
    }
    return max === 0 ? null : { min, max };
  }

  /** Records a purge receipt. Cost: constant (the range index is rebuilt lazily). */
  addPurged(receipt: PurgeRecord): void {
    this.purged.push(receipt);
    this.purgedRanges = undefined;
  }

  /**
   * True when `seq` lies in the seq range of a purged segment of this store, so a fact of this
   * store with that seq was purged. Cost: O(log purged segments).
   */
  isPurged(seq: number): boolean {
    if (this.purged.length === 0) return false;
    this.purgedRanges ??= this.purged
      .filter((p) => p.minSeq !== null && p.maxSeq !== null)
      .map((p): [number, number] => [p.minSeq as number, p.maxSeq as number])
      .sort((a, b) => a[0] - b[0]);
    const ranges = this.purgedRanges;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const [from, to] = ranges[mid] as [number, number];
      if (seq < from) hi = mid - 1;
      else if (seq > to) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** The store's segments as `segmentManifest()` lists them, by segment number. */
  infos(): SegmentInfo[] {
    const out: SegmentInfo[] = this.sealed.map((m) => ({
      segment: m.segment,
      sealed: true,
      minSeq: m.minSeq,
      maxSeq: m.maxSeq,
      minTime: m.minTime,
      maxTime: m.maxTime,
      factCount: m.factCount,
      byteSize: m.byteSize,
      codec: m.codec,
    }));
    if (this.live) out.push(this.live.info());
    return out;
  }
}
