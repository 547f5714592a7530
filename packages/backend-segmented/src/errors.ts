import { IgniterError } from '@igniter/core';

/** `ERR_CLOSED` for a call on a closed backend. */
export function closedError(dir: string): IgniterError {
  return new IgniterError('ERR_CLOSED', `the segmented backend of ${dir} is closed`);
}

/** `ERR_INVALID_ARGUMENT`. */
export function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a UTF-16 surrogate without its pair (it has no UTF-8 form of its own). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
