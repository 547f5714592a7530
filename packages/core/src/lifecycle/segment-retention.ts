import type { SegmentInfo } from '../backend.js';
import type { Engine } from '../engine/types.js';
import type { RetentionPolicy } from './types.js';

/**
 * The sealed segments of `store` that its retention policy lets a purge remove, by number:
 * `ephemeral` every sealed segment but the newest sealed one, `rolling_window` those whose
 * newest fact is older than `now - duration`, `permanent` none; and of those only segments that
 * hold no key's latest fact, since every strategy keeps the latest fact of each key (a purge
 * removes whole segments, so a segment holding one is kept whole). Cost: O(keys of the store)
 * plus O(segments).
 */
export function purgeableSegments(
  engine: Engine,
  store: string,
  segments: readonly SegmentInfo[],
  policy: RetentionPolicy,
  now: number,
): number[] {
  if (policy.strategy === 'permanent') return [];
  const sealed = segments.filter((s) => s.sealed && s.maxSeq !== null);
  const newest = sealed.reduce<SegmentInfo | undefined>(
    (best, s) => (best === undefined || (s.maxSeq as number) > (best.maxSeq as number) ? s : best),
    undefined,
  );
  const cutoff = now - (policy.duration ?? 0);
  const candidates = sealed.filter((s) =>
    policy.strategy === 'ephemeral' ? s !== newest : s.maxTime !== null && s.maxTime < cutoff,
  );
  if (candidates.length === 0) return [];
  const latestSeqs: number[] = [];
  for (const key of engine.keys(store)) {
    const latest = engine.latestFor(store, key);
    if (latest) latestSeqs.push(latest.seq);
  }
  latestSeqs.sort((a, b) => a - b);
  return candidates
    .filter((s) => !holdsAny(latestSeqs, s.minSeq as number, s.maxSeq as number))
    .map((s) => s.segment);
}

/** True when the sorted `seqs` hold a seq in [min, max] (binary search). */
function holdsAny(seqs: readonly number[], min: number, max: number): boolean {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((seqs[mid] as number) < min) lo = mid + 1;
    else hi = mid;
  }
  return lo < seqs.length && (seqs[lo] as number) <= max;
}
