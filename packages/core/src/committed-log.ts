import type { CommittedLogReader } from './change-event.js';
import type { Engine } from './engine/types.js';
import type { Fact } from './fact.js';
import type { ReadPath } from './read-path.js';

/**
 * Seq-ordered reads of a store's committed log as stored (values never coerced): what replay,
 * sync and followers page through. Every method throws `ERR_CLOSED` once the store is closed.
 */
export interface CommittedLog extends CommittedLogReader {
  /**
   * Live facts with seq > `after` that `accept` takes (every one without it), in seq order, at
   * most `limit`. Cost: O(limit + seqs skipped), or one pass over the live facts when pruning
   * left them sparse.
   */
  factsAfter(after: number, limit: number, accept?: (fact: Fact) => boolean): Fact[];
  /** The stored facts of a store (of one key when given), in seq order. */
  factsOf(store: string, key?: string): Fact[];
  /** The live facts with these seqs, in the given order (unknown seqs are skipped). */
  bySeqs(seqs: readonly number[]): Fact[];
}

/** The store's {@link CommittedLog}: its engine and read path, behind its open check. */
export function committedLogOf(log: Engine, reads: ReadPath, assertOpen: () => void): CommittedLog {
  return {
    lastSeq: () => {
      assertOpen();
      return log.lastSeq();
    },
    factsAfter: (after, limit, accept) => {
      assertOpen();
      return reads.factsAfter(after, limit, accept);
    },
    factsOf: (store, key) => {
      assertOpen();
      return log.factsFor(store, key);
    },
    bySeqs: (seqs) => {
      assertOpen();
      return log.bySeqs(seqs);
    },
  };
}
