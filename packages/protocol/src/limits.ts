import { IgniterError } from '@igniter/core';

/** Default and maximum `limit` of every list-returning operation (D7: no unbounded answers). */
export const LIMITS = {
  query: { default: 100, max: 10_000 },
  keys: { default: 1000, max: 10_000 },
  stores: { default: 1000, max: 10_000 },
  resolve: { default: 100, max: 10_000 },
  replay: { default: 1000, max: 10_000 },
  sync_hub_profile: { default: 1000, max: 10_000 },
  causation_chain: { default: 1000, max: 10_000 },
  lineage: { default: 1000, max: 10_000 },
  compaction_activity: { default: 100, max: 10_000 },
} as const satisfies Record<string, { default: number; max: number }>;

/** An operation with a bounded list answer. */
export type LimitedOp = keyof typeof LIMITS;

/**
 * The effective limit of `op`: its default when `limit` is absent. Throws `ERR_INVALID_ARGUMENT`
 * for a limit that is not an integer from 0 to the maximum.
 */
export function effectiveLimit(op: LimitedOp, limit: number | undefined): number {
  const bounds = LIMITS[op];
  if (limit === undefined) return bounds.default;
  if (!Number.isInteger(limit) || limit < 0 || limit > bounds.max) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `limit must be an integer from 0 to ${bounds.max}`, {
      details: { field: 'limit', max: bounds.max },
    });
  }
  return limit;
}
