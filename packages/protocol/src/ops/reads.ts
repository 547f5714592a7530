import { IgniterError } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toFactPacket } from '../wire-form.js';
import type {
  KeyedValue,
  QueryPacket,
  QueryResult,
  ReadFactPacket,
  ReadFactResult,
  ReadPacket,
  ReadResult,
} from '../wire-types.js';
import { sortItems, sortOrder } from './query-order.js';

/**
 * The value of (store, key), latest or as of `as_of` / valid at `valid_at`: `{ value, found }`,
 * `{ value: null, found: false }` on a miss (a stored null is found). Throws
 * `ERR_INVALID_ARGUMENT`. Cost: one store read (cached).
 */
export function read(ctx: OpContext, packet: unknown): ReadResult {
  const p = decodePacket<ReadPacket>(SPECS.read, packet, 'read');
  const value = ctx.store.read({ store: p.store, key: p.key, asOf: p.as_of, validAt: p.valid_at });
  return value === undefined ? { value: null, found: false } : { value, found: true };
}

/**
 * The fact `read` would return the value of, as a fact packet (coerced value, raw `value_hash`):
 * what a client reads before a write with `expect: { seq }`. `{ found: false, fact: null }` on a
 * miss. Throws `ERR_INVALID_ARGUMENT`. Cost: one engine lookup (a scan of the key's facts with
 * `valid_at`).
 */
export function readFact(ctx: OpContext, packet: unknown): ReadFactResult {
  const p = decodePacket<ReadFactPacket>(SPECS.read_fact, packet, 'read_fact');
  const fact = ctx.store.readFact({ store: p.store, key: p.key, asOf: p.as_of, validAt: p.valid_at });
  return fact ? { found: true, fact: toFactPacket(fact) } : { found: false, fact: null };
}

/**
 * The latest value (as of `as_of`, standing at `valid_at`) of every key of a store whose stored
 * value matches `where` (field equality, deep JSON equality; a missing field never matches), as
 * `store.query` selects them: no registration needed, a registered access path with the same
 * filters serves as an index. Without `order`: keys in UTF-16 order after the cursor `after`,
 * at most `limit` (default 100, max 10_000), `next_cursor` the last key when `has_more`. With
 * `order`: sorted by that value field (ties by key), first `limit`; `after` cannot be combined
 * with it. Values are the ones reads return. Throws `ERR_INVALID_ARGUMENT` (bad limit, order,
 * store name or cursor; `after` with `order`). Cost: O(keys scanned until `limit` match) in key
 * order, O(keys of the store) plus a sort with `order`.
 */
export function query(ctx: OpContext, packet: unknown): QueryResult {
  const p = decodePacket<QueryPacket>(SPECS.query, packet, 'query');
  const limit = effectiveLimit('query', p.limit);
  const order = sortOrder(p.order);
  if (order && p.after !== undefined) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      'after pages in key order; it cannot be combined with order',
      {
        details: { field: 'after' },
      },
    );
  }
  const base = { store: p.store, where: p.where, asOf: p.as_of, validAt: p.valid_at };
  // Key order: ask for one more than the page to learn has_more.
  const facts = order
    ? ctx.store.query(base)
    : ctx.store.query({ ...base, after: p.after, limit: limit + 1 });
  const items: KeyedValue[] = facts.map((f) => ({ key: f.key, value: f.value }));
  if (order) sortItems(items, order);
  const page = items.slice(0, limit);
  const hasMore = items.length > limit;
  return {
    items: page,
    results: page,
    count: page.length,
    has_more: hasMore,
    next_cursor: hasMore && !order ? (page.at(-1)?.key ?? null) : null,
  };
}
