import type {
  AppendEventInput,
  HistoryInput,
  KeysInput,
  QueryInput,
  ReadFactInput,
  Time,
  WriteInput,
} from '@igniter/core';
import { IgniterError } from '@igniter/core/errors';

/** `client.write`'s input: the library's `WriteInput` less `derivation` (the REST route takes none). */
export type ClientWriteInput = Omit<WriteInput, 'derivation'>;
/** `client.append`'s input: the library's `AppendEventInput` less what the REST route does not take. */
export type ClientAppendInput = Omit<AppendEventInput, 'derivation' | 'schemaVersion'>;
/** `client.read` and `client.readFact`'s input (the library's `ReadFactInput`). */
export type ClientReadInput = ReadFactInput;
/** `client.history`'s input: the library's `HistoryInput` with a required `key`. */
export type ClientHistoryInput = Omit<HistoryInput, 'key'> & { key: string };
/** `client.query`'s input: the library's `QueryInput` less the read cache's `ttl`. */
export type ClientQueryInput = Omit<QueryInput, 'ttl' | 'scope'> & { scope?: string };
/** `client.keys`'s input (the library's `KeysInput`). */
export type ClientKeysInput = KeysInput;
/** `client.replay`'s input: a seq cursor (exclusive) and a page size (default 1000, max 10_000). */
export interface ReplayInput {
  after?: number;
  limit?: number;
}

/** Deepest nesting the library accepts in a value (core's MAX_JSON_DEPTH). */
const MAX_JSON_DEPTH = 512;

function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function badValue(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_VALUE', message);
}

/**
 * Checks that `input` is an object with only `allowed` fields, as the library does (a typo such
 * as `validtime` must not be dropped on the way to the server). Throws `ERR_INVALID_ARGUMENT`.
 */
export function fieldsOf<T extends object>(input: T, allowed: readonly string[], call: string): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badArgument(`${call}: the input must be an object`);
  }
  for (const field of Object.keys(input)) {
    if (!allowed.includes(field)) throw badArgument(`${call}: unknown field "${field}"`);
  }
  return input;
}

/**
 * A store name, key or id as one URL path segment. Throws `ERR_INVALID_ARGUMENT` for an empty or
 * non-string name, a lone surrogate, and the names "." and ".." (URLs resolve those segments away,
 * so no fetch can carry them; the protocol's `dispatch` can).
 */
export function segment(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw badArgument(`${what} must be a non-empty string`);
  if (value === '.' || value === '..') {
    throw badArgument(`${what} "${value}" cannot be a URL path segment; use client.dispatch for it`);
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw badArgument(`${what} contains a lone UTF-16 surrogate`);
  }
}

/** A time as integer ms for the wire: a Date becomes its ms, a number passes (the server checks it). */
export function msOf(time: Time | undefined, what: string): number | undefined {
  if (time === undefined) return undefined;
  if (time instanceof Date) {
    const ms = time.getTime();
    if (Number.isNaN(ms)) throw badArgument(`${what} is an invalid Date`);
    return ms;
  }
  if (typeof time !== 'number') throw badArgument(`${what} must be ms since the epoch or a Date`);
  return time;
}

/**
 * Throws `ERR_INVALID_VALUE` for what JSON text cannot carry unchanged and the library rejects:
 * undefined, functions, symbols, bigints, NaN and +-Infinity, sparse arrays, objects that are not
 * plain (a Date, a Map, a class instance), cycles, nesting over 512 levels. Lone surrogates and
 * the size limit are left to the server, which sees them intact. Cost: one walk of the value.
 */
export function checkJson(value: unknown, what: string): void {
  walk(value, what, 0, new Set());
}

function walk(value: unknown, path: string, depth: number, open: Set<object>): void {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badValue(`${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (typeof value !== 'object') throw badValue(`${path} is a ${typeof value}, which JSON cannot hold`);
  if (depth >= MAX_JSON_DEPTH) throw badValue(`${path} nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (open.has(value)) throw badValue(`${path} refers to itself (a cycle)`);
  open.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw badValue(`${path}[${i}] is a hole of a sparse array`);
      walk(value[i], `${path}[${i}]`, depth + 1, open);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw badValue(`${path} is not a plain object`);
    for (const [field, child] of Object.entries(value)) walk(child, `${path}.${field}`, depth + 1, open);
  }
  open.delete(value);
}
