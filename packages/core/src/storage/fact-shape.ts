import { NativeFact } from '../engine/native-fact.js';
import type { Fact } from '../fact.js';

function isObjectOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'object' && !Array.isArray(value));
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Why `fact` is not shaped like a stored fact, or undefined when it is. Checks every field's
 * type (not the JSON-ness of `value`, which the store validated). Cost: constant.
 */
export function factShapeProblem(fact: Fact): string | undefined {
  if (typeof fact !== 'object' || fact === null) return 'it is not an object';
  if (!isNonEmptyString(fact.id)) return 'id is not a non-empty string';
  if (!Number.isSafeInteger(fact.seq) || fact.seq < 1) return 'seq is not an integer >= 1';
  if (!isNonEmptyString(fact.store)) return 'store is not a non-empty string';
  if (!isNonEmptyString(fact.key)) return 'key is not a non-empty string';
  // A native fact always has a value; reading it here would decode it for nothing.
  if (!(fact instanceof NativeFact) && fact.value === undefined) return 'value is missing';
  if (typeof fact.valueHash !== 'string') return 'valueHash is not a string';
  if (!isStringOrNull(fact.causation)) return 'causation is not a string or null';
  if (!Number.isFinite(fact.transactionTime)) return 'transactionTime is not a finite number';
  if (fact.validTime !== null && !Number.isFinite(fact.validTime))
    return 'validTime is not a finite number or null';
  if (!Number.isSafeInteger(fact.schemaVersion) || fact.schemaVersion < 1) {
    return 'schemaVersion is not an integer >= 1';
  }
  if (!isObjectOrNull(fact.producer)) return 'producer is not an object or null';
  if (!isObjectOrNull(fact.derivation)) return 'derivation is not an object or null';
  if (!isStringOrNull(fact.idempotencyKey)) return 'idempotencyKey is not a string or null';
  return undefined;
}
