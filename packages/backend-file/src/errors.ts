import { IgniterError } from '@igniter/core';

/** `ERR_CLOSED` for a call on a closed backend. */
export function closedError(path: string): IgniterError {
  return new IgniterError('ERR_CLOSED', `the file backend of ${path} is closed`);
}

/** `ERR_INVALID_ARGUMENT`. */
export function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}
