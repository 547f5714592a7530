import { checkInput, toMs } from '../args.js';
import type { Engine } from '../engine/types.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { RESOLVE_FIELDS } from '../input-fields.js';
import { isJsonObject, type Json } from '../json.js';
import { partitionKeyOf } from './partition-key.js';
import type { RelationIndexValue, RelationInput } from './types.js';

/** The index store of a relation. */
export function relationIndexStore(name: string): string {
  return `__rel_${name}`;
}

/** True when two relation definitions are the same. */
export function sameRelation(a: RelationInput, b: RelationInput): boolean {
  return a.source === b.source && a.partition === b.partition && a.target === b.target;
}

/** The relation scatter: add the source key to the partition's set; null when already there. */
export function addToGSet(
  partitionValue: Json,
  existing: Json | undefined,
  key: string,
): RelationIndexValue | null {
  const keys =
    isJsonObject(existing) && Array.isArray(existing.keys)
      ? existing.keys.filter((k): k is string => typeof k === 'string')
      : [];
  if (keys.includes(key)) return null;
  keys.push(key);
  return { keys, count: keys.length, partitionValue };
}

/** An index entry to write, with the source fact that last grew it. */
export interface IndexGrowth {
  readonly key: string;
  readonly value: RelationIndexValue;
  readonly source: Fact;
}

/**
 * The index entries that `facts` (seq order) add keys to, starting from the current entries
 * (`current(partitionKey)`): what indexing them one by one would end with, built in one pass
 * (O(facts + keys of the entries touched)) and written once per entry instead of once per key.
 * Entries come in the order of the fact that last grew them.
 */
export function indexGrowth(
  facts: readonly Fact[],
  partition: string,
  canonical: (value: Json) => string,
  current: (partitionKey: string) => Json | undefined,
): IndexGrowth[] {
  const entries = new Map<
    string,
    { keys: string[]; seen: Set<string>; partitionValue: Json; source?: Fact }
  >();
  for (const fact of facts) {
    if (!isJsonObject(fact.value) || !Object.hasOwn(fact.value, partition)) continue;
    const partitionValue = fact.value[partition] as Json;
    const partitionKey = partitionKeyOf(partitionValue, canonical);
    if (partitionKey === undefined) continue;
    let entry = entries.get(partitionKey);
    if (!entry) {
      const existing = current(partitionKey);
      const keys =
        isJsonObject(existing) && Array.isArray(existing.keys)
          ? existing.keys.filter((k): k is string => typeof k === 'string')
          : [];
      entry = { keys, seen: new Set(keys), partitionValue };
      entries.set(partitionKey, entry);
    }
    if (entry.seen.has(fact.key)) continue;
    entry.seen.add(fact.key);
    entry.keys.push(fact.key);
    entry.source = fact;
  }
  const grown: IndexGrowth[] = [];
  for (const [key, entry] of entries) {
    if (!entry.source) continue;
    grown.push({
      key,
      value: { keys: entry.keys, count: entry.keys.length, partitionValue: entry.partitionValue },
      source: entry.source,
    });
  }
  return grown.sort((a, b) => a.source.seq - b.source.seq);
}

/** What resolving needs from the store. */
export interface ResolveHost {
  readonly internalEngine: Engine;
  read(input: { store: string; key: string; asOf?: number }): Json | undefined;
}

/**
 * The (coerced) values of the source keys related to `from`, as of `asOf`: keys from the
 * relation index whose value at that time carries `from` in the partition field, in the order
 * they were first indexed. The current index is read even for a past `asOf`: it only grows, and
 * keys indexed after `asOf` (a backfill at registration) are kept only when their value then
 * carried `from`. Throws ERR_NO_RELATION. Cost: O(keys ever indexed under `from`).
 */
export function resolveRelation(
  host: ResolveHost,
  name: string,
  relation: RelationInput | undefined,
  input: { from: Json; asOf?: number | Date },
): Json[] {
  if (!relation) {
    throw new IgniterError('ERR_NO_RELATION', `no relation named ${JSON.stringify(name)} is registered`, {
      details: { relation: name },
    });
  }
  checkInput(input, 'resolve input', RESOLVE_FIELDS);
  const asOf = toMs(input.asOf, 'asOf');
  const engine = host.internalEngine;
  const canonical = (v: Json): string => engine.canonicalJson(v);
  const partitionKey = partitionKeyOf(input.from, canonical);
  if (partitionKey === undefined) return [];
  const entry = engine.latestValue(relationIndexStore(name), partitionKey);
  if (!isJsonObject(entry) || !Array.isArray(entry.keys)) return [];
  const values: Json[] = [];
  for (const key of entry.keys) {
    if (typeof key !== 'string') continue;
    const raw = engine.latestValue(relation.source, key, asOf);
    if (!isJsonObject(raw) || !Object.hasOwn(raw, relation.partition)) continue;
    if (partitionKeyOf(raw[relation.partition], canonical) !== partitionKey) continue;
    const value = host.read({ store: relation.source, key, ...(asOf === undefined ? {} : { asOf }) });
    if (value !== undefined) values.push(value);
  }
  return values;
}
