import { checkInput, MAX_TIME_MS } from '../args.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { RETENTION_FIELDS } from '../input-fields.js';
import type { RetentionPolicy } from './types.js';

const STRATEGIES = new Set(['permanent', 'ephemeral', 'rolling_window']);

/** Validates a retention policy: a known strategy; `duration` (ms > 0) exactly for rolling_window. */
export function checkRetention(policy: unknown): RetentionPolicy {
  const p = checkInput<RetentionPolicy>(policy, 'retention policy', RETENTION_FIELDS);
  if (!STRATEGIES.has(p.strategy)) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      `unknown retention strategy ${JSON.stringify(p.strategy)}; use permanent, ephemeral or rolling_window`,
    );
  }
  if (p.strategy === 'rolling_window') {
    const duration = p.duration;
    if (
      typeof duration !== 'number' ||
      !Number.isInteger(duration) ||
      duration <= 0 ||
      duration > MAX_TIME_MS
    ) {
      throw new IgniterError(
        'ERR_INVALID_ARGUMENT',
        'rolling_window needs a duration: an integer number of ms from 1 to 8.64e15',
      );
    }
    return { strategy: p.strategy, duration: p.duration };
  }
  if (p.duration !== undefined) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `${p.strategy} takes no duration`);
  }
  return { strategy: p.strategy };
}

/**
 * Splits a store's facts (seq order) into kept and dropped per the policy: the latest fact of
 * every key is always kept; `rolling_window` also keeps facts with transactionTime >= now - duration.
 */
export function partitionForRetention(
  facts: readonly Fact[],
  policy: RetentionPolicy,
  now: number,
): { keep: Fact[]; drop: Fact[] } {
  if (policy.strategy === 'permanent') return { keep: [...facts], drop: [] };
  const latest = new Map<string, number>();
  for (const fact of facts) latest.set(fact.key, fact.seq);
  const cutoff =
    policy.strategy === 'rolling_window' ? now - (policy.duration ?? 0) : Number.POSITIVE_INFINITY;
  const keep: Fact[] = [];
  const drop: Fact[] = [];
  for (const fact of facts) {
    if (latest.get(fact.key) === fact.seq || fact.transactionTime >= cutoff) keep.push(fact);
    else drop.push(fact);
  }
  return { keep, drop };
}
