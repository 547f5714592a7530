import { IgniterError } from '@igniter/core';

/**
 * `ERR_CORRUPT_LOG` for a damaged frame at `offset` of `file` that is not a torn tail; the
 * message names the file and the byte offset, and says how to repair when `repairable`.
 */
export function corruptLog(
  file: string,
  offset: number,
  why: string,
  cause?: unknown,
  repairable = true,
): IgniterError {
  const hint = repairable
    ? '; open with { repair: true } to move it and everything after it to a quarantine file'
    : '';
  return new IgniterError('ERR_CORRUPT_LOG', `${file}: damaged frame at byte ${offset} (${why})${hint}`, {
    details: { file, offset, reason: why },
    cause,
  });
}

/** `ERR_CORRUPT_LOG` for a data file that is inconsistent as a whole (not at one frame). */
export function inconsistentLog(file: string, why: string, offset?: number): IgniterError {
  return new IgniterError('ERR_CORRUPT_LOG', `${file}: ${why}`, {
    details: offset === undefined ? { file } : { file, offset },
  });
}

/** `ERR_CLOSED` for a call on a closed backend. */
export function closedError(path: string): IgniterError {
  return new IgniterError('ERR_CLOSED', `the file backend of ${path} is closed`);
}

/** `ERR_INVALID_ARGUMENT`. */
export function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}
