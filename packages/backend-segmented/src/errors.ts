import { IgniterError, type Time } from '@igniter/core';

/** `ERR_CLOSED` for a call on a closed backend. */
export function closedError(dir: string): IgniterError {
  return new IgniterError('ERR_CLOSED', `the segmented backend of ${dir} is closed`);
}

/** `ERR_INVALID_ARGUMENT`. */
export function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/** `value` as ms since the epoch; throws `ERR_INVALID_ARGUMENT` naming `what` when it is not a time. */
export function toMs(value: Time, what: string): number;
export function toMs(value: Time | undefined, what: string): number | undefined;
export function toMs(value: Time | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw badArgument(`${what} must be a finite number of ms since the epoch or a valid Date`);
  }
  return ms;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a UTF-16 surrogate without its pair (it has no UTF-8 form of its own). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
