import { badArgument } from './http-error.js';

/** Largest |time| in ms a Date can hold; times past it are rejected (API v1). */
export const MAX_TIME_MS = 8.64e15;

/**
 * JSON schema of a query string whose parameters are all optional strings: an unknown
 * parameter (or a repeated one, which arrives as an array) fails validation with 400.
 */
export function querySchema(names: readonly string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of names) properties[name] = { type: 'string' };
  return { type: 'object', additionalProperties: false, properties };
}

/** A time query parameter: integer ms since the epoch, |t| <= 8.64e15. Throws `ERR_INVALID_ARGUMENT`. */
export function timeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_TIME_MS) {
    throw badArgument(`${name} must be an integer number of ms since the epoch (|t| <= 8.64e15)`, {
      field: name,
    });
  }
  return ms;
}

/** A seq cursor: an integer >= 0. Throws `ERR_INVALID_ARGUMENT`. */
export function seqParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const seq = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seq))
    throw badArgument(`${name} must be a seq: an integer >= 0`, { field: name });
  return seq;
}

/** A page size from 1 to `max`, `fallback` when absent. Throws `ERR_INVALID_ARGUMENT`. */
export function limitParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const limit = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw badArgument(`limit must be an integer from 1 to ${max}`, { field: 'limit', max });
  }
  return limit;
}

/** A time in a JSON body: an integer ms within the Date range. Throws `ERR_INVALID_ARGUMENT`. */
export function checkBodyTime(value: unknown, name: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > MAX_TIME_MS) {
    throw badArgument(`${name} must be an integer number of ms since the epoch (|t| <= 8.64e15)`, {
      field: name,
    });
  }
}
