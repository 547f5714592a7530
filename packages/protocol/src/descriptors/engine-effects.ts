import { canonicalJson, type IgniterStore, type JsonObject } from '@igniter/core';
import type { Descriptor } from '../wire-types.js';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function record(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function registerAccessPath(store: IgniterStore, d: Descriptor): void {
  const target = text(d.store);
  const filters = record(d.filters);
  const cacheTtl = typeof d.cache_ttl === 'number' ? d.cache_ttl : undefined;
  const lookup = typeof d.lookup === 'string' ? d.lookup : undefined;
  const existing = store.schemaGraph.pathFor(target, d.name);
  // Re-registering an identical path would drop consumers someone attached to it.
  if (
    existing &&
    existing.cacheTtl === cacheTtl &&
    existing.lookup === lookup &&
    canonicalJson(existing.filters) === canonicalJson(filters)
  ) {
    return;
  }
  store.registerPath({ store: target, scope: d.name, filters, cacheTtl, lookup });
}

/**
 * Makes the store run what a descriptor declares: an access path registers the scope `name` on
 * its store, a relation registers the engine relation `name`, a projection the engine
 * projection. Other kinds are metadata only. Idempotent; throws the store's `IgniterError`
 * (for example `ERR_INVALID_ARGUMENT` for a relation name already bound to another definition).
 */
export function applyDescriptor(store: IgniterStore, d: Descriptor): void {
  switch (d.kind) {
    case 'access_path':
      registerAccessPath(store, d);
      return;
    case 'relation': {
      const from = record(d.from);
      const to = record(d.to);
      store.registerRelation(d.name, {
        source: text(to.store),
        partition: text(to.field),
        target: text(from.store),
      });
      return;
    }
    case 'projection':
      store.registerProjection({
        name: d.name,
        reads: texts(d.reads),
        relations: texts(d.relations),
        consumerHint: text(d.consumer_hint),
        reactive: d.reactive === true,
      });
      return;
    default:
      return;
  }
}
