import { effectiveValidTime, type Fact } from './fact.js';

/**
 * Among facts admitted by asOf (seq order), the one that stood at `validAt`: the greatest
 * effective valid time <= validAt, ties broken by the highest seq.
 */
export function pickValidAt(facts: readonly Fact[], validAt: number): Fact | undefined {
  let best: Fact | undefined;
  let bestTime = Number.NEGATIVE_INFINITY;
  for (const fact of facts) {
    const time = effectiveValidTime(fact);
    if (time <= validAt && time >= bestTime) {
      best = fact;
      bestTime = time;
    }
  }
  return best;
}

/** Facts with effective valid time <= validAt, ordered by effective valid time, then seq. */
export function historyValidAt(facts: readonly Fact[], validAt: number): Fact[] {
  return facts
    .filter((fact) => effectiveValidTime(fact) <= validAt)
    .sort((a, b) => effectiveValidTime(a) - effectiveValidTime(b) || a.seq - b.seq);
}
