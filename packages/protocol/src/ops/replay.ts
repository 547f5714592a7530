import { type Fact, IgniterError } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toFactPacket } from '../wire-form.js';
import type { ReplayFilter, ReplayPacket, ReplayResult } from '../wire-types.js';

function badFilter(message: string, field: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message, { details: { field } });
}

/**
 * Checks a seq cursor: an integer >= 0 (default 0) and at most `lastSeq`, the store's last seq
 * (a cursor from the future, say kept from before a restore of an older backup, would skip the
 * facts committed next): `details = { field, after, lastSeq }`.
 */
export function checkCursor(after: number | undefined, lastSeq: number): number {
  if (after === undefined) return 0;
  if (!Number.isSafeInteger(after) || after < 0) {
    throw badFilter('after must be a seq: an integer >= 0', 'after');
  }
  if (after > lastSeq) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      `after ${after} is past the last seq ${lastSeq} of this store; resume from a seq <= ${lastSeq}`,
      { details: { field: 'after', after, lastSeq } },
    );
  }
  return after;
}

function checkName(value: string | undefined, field: string): void {
  if (value !== undefined && value.length === 0)
    throw badFilter(`${field} must be a non-empty string`, field);
}

/** True for facts of internal stores (`__*`), hidden from unfiltered replay unless asked for (D4). */
export function isInternal(fact: Fact): boolean {
  return fact.store.startsWith('__');
}

/** The first index of a seq-ordered list whose seq is above `after`. */
function firstAfter(facts: readonly Fact[], after: number): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((facts[mid] as Fact).seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to `limit + 1` stored facts the filter selects with seq > `after`, in seq order. */
function select(
  ctx: OpContext,
  filter: ReplayFilter,
  after: number,
  limit: number,
  internal: boolean,
): Fact[] {
  const log = ctx.store.committedLog();
  const { store, key, partition_key: partitionKey, partition_value: partitionValue } = filter;
  checkName(store, 'filter.store');
  checkName(key, 'filter.key');
  checkName(partitionKey, 'filter.partition_key');
  const partitioned = partitionKey !== undefined || partitionValue !== undefined;
  if (store === undefined) {
    if (key !== undefined || partitioned)
      throw badFilter('filter.key and filter.partition_* need filter.store', 'filter.store');
    return log.factsAfter(after, limit + 1, (f) => internal || !isInternal(f));
  }
  if (key !== undefined && partitioned)
    throw badFilter('filter.key and filter.partition_* exclude each other', 'filter.key');
  let facts: Fact[];
  if (partitioned) {
    if (partitionKey === undefined || partitionValue === undefined) {
      throw badFilter('filter.partition_key and filter.partition_value go together', 'filter.partition_key');
    }
    const slice = ctx.store.historyPartition({ store, partitionKey, partitionValue });
    facts = log.bySeqs(slice.map((f) => f.seq));
  } else {
    facts = log.factsOf(store, key);
  }
  const start = firstAfter(facts, after);
  return facts.slice(start, start + limit + 1);
}

/**
 * Stored facts after a seq cursor (exclusive), in seq order, as fact packets (D2, fixing C-2
 * and C-5): the whole log (internal `__*` stores only with `include_internal`), one store, one
 * key of it, or one partition of it. At most `limit` (default 1000, max 10_000); `has_more`
 * says whether more follow; `next_cursor` is the seq of the last packet, or `after` when there
 * is none, so a client pages by passing it back and sees every fact exactly once. Throws
 * `ERR_INVALID_ARGUMENT` (bad cursor, limit or filter). Cost: O(limit) over the whole log,
 * O(facts of the store, key or partition) with a filter.
 */
export function replay(ctx: OpContext, packet: unknown): ReplayResult {
  const p = decodePacket<ReplayPacket>(SPECS.replay, packet, 'replay');
  const after = checkCursor(p.after, ctx.store.lastSeq());
  const limit = effectiveLimit('replay', p.limit);
  const selected = select(ctx, p.filter ?? {}, after, limit, p.include_internal === true);
  const page = selected.slice(0, limit);
  return {
    facts: page.map(toFactPacket),
    count: page.length,
    next_cursor: page.at(-1)?.seq ?? after,
    has_more: selected.length > limit,
  };
}
