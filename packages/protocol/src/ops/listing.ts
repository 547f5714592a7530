import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import type { KeysPacket, KeysResult, StoresPacket, StoresResult } from '../wire-types.js';

/**
 * Keys of a store with at least one live fact, in UTF-16 order, starting with `prefix`, after
 * the cursor `after`, at most `limit` (default 1000, max 10_000); `next_cursor` is the last key
 * when `has_more`. Throws `ERR_INVALID_ARGUMENT`. Cost: O(log keys + keys returned).
 */
export function keys(ctx: OpContext, packet: unknown): KeysResult {
  const p = decodePacket<KeysPacket>(SPECS.keys, packet, 'keys');
  const limit = effectiveLimit('keys', p.limit);
  const found = ctx.store.keys({ store: p.store, prefix: p.prefix, after: p.after, limit: limit + 1 });
  const page = found.slice(0, limit);
  const hasMore = found.length > limit;
  return {
    keys: page,
    count: page.length,
    has_more: hasMore,
    next_cursor: hasMore ? (page.at(-1) ?? null) : null,
  };
}

/**
 * The user stores (not the internal "__" ones) with at least one live fact, in UTF-16 order,
 * with their live fact and key counts; after the cursor `after`, at most `limit` (default 1000,
 * max 10_000). Throws `ERR_INVALID_ARGUMENT`. Cost: O(stores + their keys).
 */
export function stores(ctx: OpContext, packet: unknown = {}): StoresResult {
  const p = decodePacket<StoresPacket>(SPECS.stores, packet, 'stores');
  const limit = effectiveLimit('stores', p.limit);
  const after = p.after;
  const all = ctx.store.stores().filter((s) => after === undefined || s.store > after);
  const page = all
    .slice(0, limit)
    .map((s) => ({ store: s.store, fact_count: s.factCount, key_count: s.keyCount }));
  const hasMore = all.length > limit;
  return {
    stores: page,
    count: page.length,
    has_more: hasMore,
    next_cursor: hasMore ? (page.at(-1)?.store ?? null) : null,
  };
}
