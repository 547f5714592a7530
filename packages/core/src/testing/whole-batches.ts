import { expect } from 'vitest';
import type { Fact } from '../fact.js';

/**
 * Asserts what a crash test of numbered `writeMany` batches must find after reopening: the facts
 * (each with a value `{ b }`, its batch number) form batches 1..n, every one of `size` facts, where
 * n is `acknowledged` or one more (a batch whose write returned before the kill but whose ack was
 * not printed). `context` names the round in a failure. Returns n.
 */
export function expectWholeBatches(
  facts: Iterable<Fact>,
  size: number,
  acknowledged: number,
  context: string,
): number {
  const perBatch = new Map<number, number>();
  for (const fact of facts) {
    const b = (fact.value as { b: number }).b;
    perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
  }
  const batches = [...perBatch.keys()].sort((x, y) => x - y);
  expect(batches, context).toEqual(batches.map((_, i) => i + 1));
  for (const [b, count] of perBatch) expect(count, `${context}, batch ${b}`).toBe(size);
  expect(batches.length, context).toBeGreaterThanOrEqual(acknowledged);
  expect(batches.length, context).toBeLessThanOrEqual(acknowledged + 1);
  return batches.length;
}
