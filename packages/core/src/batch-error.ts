import { IgniterError } from './errors.js';

/**
 * The error of a `writeMany` batch that storage refused partway, after the backend had taken
 * `committed` of its `total` facts (through seq `lastSeq`): a backend without
 * `Backend.writeFacts`, or a system error partway through one. An `IgniterError` keeps its code
 * and gains `details.committed` and `details.committedThroughSeq`; a system error (an `Error`
 * with a `code` such as `ENOENT`) is the same object with that `details` and the same words added
 * to its message. A refusal before any commit is returned unchanged.
 */
export function partialBatchError(
  error: unknown,
  committed: number,
  total: number,
  lastSeq: number | undefined,
): unknown {
  if (committed === 0 || lastSeq === undefined || !(error instanceof Error)) return error;
  const words = `writeMany: the first ${committed} of ${total} facts, through seq ${lastSeq}, were committed before storage refused the next`;
  if (!(error instanceof IgniterError)) {
    const details = { ...(error as { details?: object }).details, committed, committedThroughSeq: lastSeq };
    return Object.assign(error, { message: `${error.message} (${words})`, details });
  }
  return new IgniterError(error.code, `${error.message} (${words})`, {
    details: { ...error.details, committed, committedThroughSeq: lastSeq },
    cause: error,
  });
}
