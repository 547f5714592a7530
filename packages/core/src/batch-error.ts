import { IgniterError } from './errors.js';

/**
 * The error of a `writeMany` batch that storage refused partway, after the backend had taken
 * `committed` of its `total` facts (through seq `lastSeq`): an `IgniterError` keeps its code and
 * gains `details.committed` and `details.committedThroughSeq`; any other error (a system error
 * of a failed write, after which the backend refuses everything) is returned unchanged, as is
 * a refusal before any commit.
 */
export function partialBatchError(
  error: unknown,
  committed: number,
  total: number,
  lastSeq: number | undefined,
): unknown {
  if (committed === 0 || lastSeq === undefined || !(error instanceof IgniterError)) return error;
  return new IgniterError(
    error.code,
    `${error.message} (writeMany: the first ${committed} of ${total} facts, through seq ${lastSeq}, were committed before storage refused the next)`,
    { details: { ...error.details, committed, committedThroughSeq: lastSeq }, cause: error },
  );
}
