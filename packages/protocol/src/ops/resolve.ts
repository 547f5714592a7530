import { canonicalJson, IgniterError, type Json } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import type { ItemsResult, KeyedValue, ResolvePacket } from '../wire-types.js';

/** The index key a partition value names (as core's relation index keys it); undefined for none. */
function partitionKey(value: Json | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : canonicalJson(value);
}

function indexedKeys(entry: Json | undefined): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
  const keys = entry.keys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

/**
 * The keys and values related to `from` by a relation, as of `as_of` (ARCHITECTURE.md D7): keys of the
 * relation index whose stored value at that time still carries `from` in the partition field,
 * in the order they were first indexed; at most `limit` (default 100, max 10_000) with
 * `has_more`. Values are the ones reads return. Throws `ERR_NO_RELATION` for an unknown
 * relation, `ERR_INVALID_ARGUMENT`. Cost: O(keys ever indexed under `from` x their versions).
 */
export function resolve(ctx: OpContext, packet: unknown): ItemsResult {
  const p = decodePacket<ResolvePacket>(SPECS.resolve, packet, 'resolve');
  const limit = effectiveLimit('resolve', p.limit);
  const relation = ctx.store.schemaGraph.relationFor(p.relation);
  if (!relation) {
    throw new IgniterError(
      'ERR_NO_RELATION',
      `no relation named ${JSON.stringify(p.relation)} is registered`,
      {
        details: { relation: p.relation },
      },
    );
  }
  const wanted = partitionKey(p.from);
  const items: KeyedValue[] = [];
  let hasMore = false;
  if (wanted !== undefined) {
    const entry = ctx.store.read({ store: relation.indexStore, key: wanted, asOf: p.as_of });
    for (const key of indexedKeys(entry)) {
      const fact = ctx.store.history({ store: relation.source, key, asOf: p.as_of }).at(-1);
      if (!fact) continue;
      // Membership is decided on the stored value, as the engine's own resolve does.
      const stored = ctx.store.factById(fact.id)?.value ?? fact.value;
      if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) continue;
      if (!Object.hasOwn(stored, relation.partition)) continue;
      if (partitionKey(stored[relation.partition]) !== wanted) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push({ key, value: fact.value });
    }
  }
  return { items, results: items, count: items.length, has_more: hasMore };
}
