import type { Fact } from './fact.js';

/** Why a fact was committed, as the changefeed reports it. */
export type CommitKind = 'write' | 'append' | 'derived' | 'pruned' | 'compacted';

/** One changefeed event: a committed fact, or a marker that events were missed. */
export type ChangeEvent =
  | {
      seq: number;
      kind: CommitKind;
      store: string;
      key: string;
      factId: string;
      valueHash: string;
      transactionTime: number;
    }
  | { kind: 'lagged'; missedFrom: number; missedTo: number };

/** Reads committed facts back from the log (to resume a subscriber the ring no longer reaches). */
export interface CommittedLogReader {
  /** Live facts with seq > `after`, in seq order, at most `limit` of them. */
  factsAfter(after: number, limit: number): Fact[];
  /** The highest seq committed so far. */
  lastSeq(): number;
}

/**
 * What a store needs from a changefeed: one `publish` per committed fact, in seq order, and
 * the log to replay from. `Changefeed` implements it.
 */
export interface ChangeSink {
  /** Receives one committed fact, in seq order. */
  publish(fact: Fact, kind: CommitKind): void;
  /** Gives the sink the log to replay from; called once by the store constructor. */
  attach(reader: CommittedLogReader): void;
}
