import { checkOptions } from '../args.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import type { RetentionPolicy } from './types.js';

const STRATEGIES = new Set(['permanent', 'ephemeral', 'rolling_window']);

/** Validates a retention policy: a known strategy; `duration` (ms > 0) exactly for rolling_window. */
export function checkRetention(policy: unknown): RetentionPolicy {
  const p = checkOptions<RetentionPolicy>(policy, 'retention policy');
  if (!STRATEGIES.has(p.strategy)) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      `unknown retention strategy ${JSON.stringify(p.strategy)}; use permanent, ephemeral or rolling_window`,
    );
  }
  if (p.strategy === 'rolling_window') {
    if (typeof p.duration !== 'number' || !Number.isFinite(p.duration) || p.duration <= 0) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'rolling_window needs a duration: a number of ms > 0');
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
