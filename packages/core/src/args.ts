import { encodeValue, isWellFormed } from './canonical.js';
import { IgniterError } from './errors.js';
import { isJsonObject, isJsonObjectClass, type JsonObject } from './json.js';
import type { Expectation } from './store-types.js';

/** Longest store name or key, in UTF-8 bytes (ARCHITECTURE.md D10). */
export const MAX_NAME_BYTES = 1024;

/** A point in time: ms since the Unix epoch, or a Date. */
export type Time = number | Date;

function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/** Checks a store name or key: a non-empty, well-formed string of at most 1024 UTF-8 bytes. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw badArgument(`${what} must be a non-empty string`);
  }
  if (value.length > MAX_NAME_BYTES / 3 && Buffer.byteLength(value, 'utf8') > MAX_NAME_BYTES) {
    throw badArgument(`${what} is over ${MAX_NAME_BYTES} UTF-8 bytes`);
  }
  if (!isWellFormed(value)) {
    throw badArgument(`${what} contains a lone UTF-16 surrogate`);
  }
  return value;
}

/** True for names of internal stores (receipts, relation indexes, descriptors). */
export function isReservedStore(store: string): boolean {
  return store.startsWith('__');
}

/** Checks a store name that a user writes to: valid and not internal. */
export function checkWritableStore(value: unknown, what = 'store'): string {
  const store = checkName(value, what);
  if (isReservedStore(store)) {
    throw new IgniterError(
      'ERR_RESERVED_NAME',
      `${what} "${store}" starts with "__"; such stores are internal to Igniter`,
    );
  }
  return store;
}

/** Largest distance of a time from the epoch, in ms: the range of a JavaScript Date. */
export const MAX_TIME_MS = 8.64e15;

/**
 * Converts a Time to ms, or throws ERR_INVALID_ARGUMENT naming `what`: an integer number of ms
 * within the Date range (|t| <= 8.64e15) or a valid Date. `undefined` stays undefined.
 */
export function toMs(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_TIME_MS) {
      throw badArgument(
        `${what} must be an integer number of ms with |t| <= 8.64e15 (the Date range), got ${String(value)}`,
      );
    }
    return value;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw badArgument(`${what} is an invalid Date`);
    return ms;
  }
  throw badArgument(`${what} must be a number of ms since the epoch or a Date`);
}

/** Checks an optional non-negative duration in ms. */
export function checkDuration(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badArgument(`${what} must be a non-negative number of ms`);
  }
  return value;
}

/** Checks `producer`/`derivation`: a JSON object or null. Returns a deep-frozen copy (facts are immutable). */
export function checkMetaObject(value: unknown, what: string): JsonObject | null {
  if (value === undefined || value === null) return null;
  const proto: unknown = isJsonObject(value) ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null && !isJsonObjectClass(proto)) {
    throw badArgument(`${what} must be a plain object or null`);
  }
  return encodeValue(value, what).copy as JsonObject;
}

/** Checks `schemaVersion`: an integer >= 1 (default 1). */
export function checkSchemaVersion(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badArgument('schemaVersion must be an integer >= 1');
  }
  return value;
}

/** Checks an explicit causation: a non-empty string or null. */
export function checkCausation(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || !isWellFormed(value)) {
    throw badArgument('causation must be a non-empty, well-formed string or null');
  }
  return value;
}

/** Longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 512;

/** Checks an optional idempotency key: 1-512 characters. */
export function checkIdempotencyKey(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_IDEMPOTENCY_KEY_LENGTH ||
    !isWellFormed(value)
  ) {
    throw badArgument(
      `idempotencyKey must be a well-formed string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    );
  }
  return value;
}

/**
 * Every field an input type may carry, each listed once as `field: true`. Typed against the
 * input's interface, so the compiler refuses a list that misses a field or names one the type
 * lacks: adding a field to an input is one line here too.
 */
export type FieldList<T> = { readonly [K in keyof T]-?: true };

/** The fields an input object may carry, as {@link checkInput} checks them. */
export type InputFields = ReadonlySet<string>;

/** The allowed fields of an input type, built once (at module load) from its complete list. */
export function fieldsOf<T extends object>(list: FieldList<T>): InputFields {
  return new Set(Object.keys(list));
}

/**
 * Checks an input or options object: an object (not an array) whose every enumerable field is in
 * `fields`. An unknown field is ERR_INVALID_ARGUMENT naming it (`details.field`), so that a typo
 * like `validtime` is not silently ignored. Cost: one set lookup per field of `value`.
 */
export function checkInput<T extends object>(value: unknown, what: string, fields: InputFields): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badArgument(`${what} must be an object`);
  }
  // for-in rather than Object.keys: no array is allocated on the write path.
  for (const field in value) {
    if (!fields.has(field)) throw unknownField(what, field, fields);
  }
  return value as T;
}

function unknownField(what: string, field: string, fields: InputFields): IgniterError {
  const lower = field.toLowerCase();
  const near = [...fields].find((known) => known.toLowerCase() === lower);
  const hint = near === undefined ? `known fields: ${[...fields].join(', ')}` : `did you mean "${near}"?`;
  return new IgniterError('ERR_INVALID_ARGUMENT', `${what} has an unknown field "${field}" (${hint})`, {
    details: { field },
  });
}

/** Checks an optional `limit`: an integer >= 1. */
export function checkLimit(value: unknown, what = 'limit'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badArgument(`${what} must be an integer >= 1`);
  }
  return value;
}

/** Checks an optional key cursor or prefix: a well-formed string (may be empty). */
export function checkKeyBound(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isWellFormed(value)) {
    throw badArgument(`${what} must be a well-formed string`);
  }
  return value;
}

/** Checks scope filters: a JSON object (default {}). Returns a deep-frozen copy the caller cannot change. */
export function checkFilters(value: unknown, what: string): JsonObject {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw badArgument(`${what} must be an object of field values`);
  return encodeValue(value, what).copy as JsonObject;
}

const EXPECT_FIELDS = fieldsOf<{ seq: number; absent: true }>({ seq: true, absent: true });

/** Checks an optional `expect`: `{ seq: integer >= 1 }` or `{ absent: true }`. */
export function checkExpectation(value: unknown): Expectation | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null) {
    const record = checkInput<Record<string, unknown>>(value, 'expect', EXPECT_FIELDS);
    if (record.absent === true && !('seq' in record)) return { absent: true };
    if (
      typeof record.seq === 'number' &&
      Number.isInteger(record.seq) &&
      record.seq >= 1 &&
      !('absent' in record)
    ) {
      return { seq: record.seq };
    }
  }
  throw new IgniterError('ERR_INVALID_ARGUMENT', 'expect must be { seq: integer >= 1 } or { absent: true }');
}
