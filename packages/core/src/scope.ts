import type { Json, JsonObject } from './json.js';

/** Deep equality of two JSON values (object keys in any order). */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key) || !deepEqual(a[key] as Json, b[key] as Json)) return false;
  }
  return true;
}

/**
 * Field equality on a value: every filter field is present in the (object) value and deep-equal
 * to the filter's JSON value. A non-object value matches only an empty filter.
 */
export function matchesFilters(value: unknown, filters: JsonObject): boolean {
  const fields = Object.keys(filters);
  if (fields.length === 0) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as JsonObject;
  for (const field of fields) {
    if (!Object.hasOwn(record, field) || !deepEqual(record[field] as Json, filters[field] as Json)) {
      return false;
    }
  }
  return true;
}
