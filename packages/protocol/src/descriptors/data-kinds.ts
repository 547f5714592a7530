import type { Json } from '@igniter/core';
import {
  isRecord,
  isText,
  isTextList,
  type KindOutcome,
  kindOutcome,
  missingFields,
  Problems,
  present,
  type RawDescriptor,
} from './checks.js';

/** A record store: `name` and its `key` field; everything else is kept as declared. */
export function normaliseStore(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'key']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.key), 'key must be a non-empty string');
  return kindOutcome(raw, problems, {});
}

/** An append-only history: `name` and its `key` field, optionally a `partition_key`. */
export function normaliseHistory(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'key']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.key), 'key must be a non-empty string');
  problems.optionalText(raw, 'partition_key');
  return kindOutcome(raw, problems, {});
}

/**
 * An access path: a named scope of `store`. `fields` and `unique` are kept (C-7); `filters`
 * (field equality on the latest value) become the engine path's filters; `unique: false` is
 * recorded but not enforced, which the receipt says.
 */
export function normaliseAccessPath(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'store', 'fields']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.store), 'store must be a non-empty string');
  problems.check(isTextList(raw.fields), 'fields must be an array of non-empty strings');
  problems.check(!present(raw.unique) || typeof raw.unique === 'boolean', 'unique must be a boolean');
  problems.check(!present(raw.filters) || isRecord(raw.filters), 'filters must be an object of field values');
  const ttl = raw.cache_ttl;
  problems.check(
    !present(ttl) || (typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 0),
    'cache_ttl must be a non-negative number of ms',
  );
  problems.optionalText(raw, 'lookup');
  const unique = raw.unique !== false;
  const warnings = unique ? [] : ['unique: false is recorded; the engine does not enforce uniqueness'];
  const normalised: Record<string, Json> = {
    unique,
    filters: isRecord(raw.filters) ? (raw.filters as Record<string, Json>) : {},
  };
  return kindOutcome(raw, problems, normalised, warnings);
}

/**
 * A relation from `from: { store, key }` to `to: { store, field }`. It runs as an engine
 * relation: source `to.store`, partition `to.field`, target `from.store`. `cardinality` is
 * `many` (default) or `one`, compared as a string; `one` is informational (the index is a
 * grow-only set), which the receipt says.
 */
export function normaliseRelation(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'from', 'to']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  const { from, to } = raw;
  problems.check(isRecord(from) && isText(from.store) && isText(from.key), 'from must be { store, key }');
  problems.check(isRecord(to) && isText(to.store) && isText(to.field), 'to must be { store, field }');
  const cardinality = present(raw.cardinality) ? raw.cardinality : 'many';
  problems.check(
    cardinality === 'one' || cardinality === 'many',
    `unsupported relation cardinality: ${JSON.stringify(cardinality)}`,
  );
  const warnings =
    cardinality === 'one'
      ? ['cardinality: one is informational; the relation index keeps every related key (a grow-only set)']
      : [];
  return kindOutcome(raw, problems, { cardinality: cardinality === 'one' ? 'one' : 'many' }, warnings);
}

/**
 * A projection: the stores it `reads` (or its `source`, one name or a list), the relations it
 * uses, a consumer hint (default `protocol_client`) and whether it is reactive (explicit, else
 * `mode === 'materialized'`, compared as a string). `group_by`, `compute` and other fields are kept.
 */
export function normaliseProjection(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name']);
  if (missing) return { ok: false, errors: [missing] };
  if (!present(raw.reads) && !present(raw.source)) {
    return { ok: false, errors: ['missing required fields: reads or source'] };
  }
  const problems = new Problems();
  const source = present(raw.reads) ? raw.reads : raw.source;
  const reads = typeof source === 'string' ? [source] : source;
  problems.check(isTextList(reads), 'reads (or source) must be a store name or an array of store names');
  problems.check(!present(raw.relations) || isTextList(raw.relations), 'relations must be an array of names');
  problems.optionalText(raw, 'consumer_hint');
  problems.optionalText(raw, 'mode');
  problems.check(!present(raw.reactive) || typeof raw.reactive === 'boolean', 'reactive must be a boolean');
  const reactive = typeof raw.reactive === 'boolean' ? raw.reactive : raw.mode === 'materialized';
  const normalised: Record<string, Json> = {
    reads: isTextList(reads) ? reads : [],
    relations: isTextList(raw.relations) ? raw.relations : [],
    consumer_hint: isText(raw.consumer_hint) ? raw.consumer_hint : 'protocol_client',
    reactive,
  };
  return kindOutcome(raw, problems, normalised);
}
