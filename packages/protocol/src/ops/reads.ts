import { canonicalJson, type Fact, type IgniterStore, type Json, type JsonObject } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import type { ItemsResult, KeyedValue, QueryPacket, ReadPacket, ReadResult } from '../wire-types.js';
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
 * The latest fact of every key of a store, as of / valid at the given times. A registered path
 * without filters serves it from the store's scope index (O(keys)); otherwise one pass over
 * the store's history (O(facts)).
 */
function latestFacts(store: IgniterStore, name: string, asOf?: number, validAt?: number): readonly Fact[] {
  const path = store.schemaGraph.pathsFor(name).find((p) => Object.keys(p.filters).length === 0);
  if (path) return store.query({ store: name, scope: path.scope, asOf, validAt });
  const latest = new Map<string, Fact>();
  // With validAt, history is ordered by effective valid time, so the last fact per key stood then.
  for (const fact of store.history({ store: name, asOf, validAt })) latest.set(fact.key, fact);
  return [...latest.values()];
}

function matcher(where: JsonObject): (value: Json) => boolean {
  const wanted = Object.entries(where).map(([field, v]) => [field, canonicalJson(v)] as const);
  if (wanted.length === 0) return () => true;
  return (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    wanted.every(([field, c]) => Object.hasOwn(value, field) && canonicalJson(value[field] as Json) === c);
}

/**
 * The latest value of every key of a store whose value matches `where` (field equality, deep
 * JSON equality; a missing field never matches), sorted by `order` (default: by key), at most
 * `limit` (default 100, max 10_000) with `has_more`. `where` sees the values reads return.
 * Throws `ERR_INVALID_ARGUMENT` (bad limit or order, bad store name). Cost: O(keys) with a
 * filterless access path on the store, else O(facts of the store); plus a sort.
 */
export function query(ctx: OpContext, packet: unknown): ItemsResult {
  const p = decodePacket<QueryPacket>(SPECS.query, packet, 'query');
  const limit = effectiveLimit('query', p.limit);
  const order = sortOrder(p.order);
  const matches = matcher(p.where ?? {});
  const items: KeyedValue[] = [];
  for (const fact of latestFacts(ctx.store, p.store, p.as_of, p.valid_at)) {
    if (matches(fact.value)) items.push({ key: fact.key, value: fact.value });
  }
  sortItems(items, order);
  const page = items.slice(0, limit);
  return { items: page, results: page, count: page.length, has_more: items.length > limit };
}
