import type { Backend } from '../backend.js';
import type { Engine } from '../engine/types.js';
import type { Fact } from '../fact.js';

/** What backup and verify need from the store. */
export interface IntegrityHost {
  readonly internalEngine: Engine;
  readonly internalBackend: Backend | undefined;
}

/** What `store.backup()` wrote. */
export interface BackupResult {
  /** The copy: a log file (file backend, in-memory store) or a directory (segmented backend). */
  path: string;
  /** The copy holds exactly the facts with a seq up to this one, and continues above it. */
  seq: number;
  /** Facts in the copy. */
  factCount: number;
  /** Bytes of every file of the copy. */
  bytes: number;
}

/** What a backend's `backup` wrote (the store adds `seq` and `factCount`). */
export interface BackupWritten {
  /** The copy, as an absolute path. */
  path: string;
  /** Bytes of every file of the copy. */
  bytes: number;
}

/** What kind of problem `store.verify()` found. */
export type VerifyProblemKind =
  /** A header, frame or record that cannot be read (a bad CRC, a torn tail, a quarantine file). */
  | 'frame'
  /** A fact whose `valueHash` is not the SHA-256 of its value's canonical JSON. */
  | 'hash'
  /** A seq that does not increase, repeats, or a file that misses facts it should hold. */
  | 'seq'
  /** A causation that points at a later fact, or at a fact that is gone without a prune receipt. */
  | 'causation';

/** One problem found by `store.verify()`. */
export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** The data file (absolute path); absent for an in-memory store. */
  file?: string;
  /** Byte offset of the damaged frame, or of the frame holding the fact. */
  offset?: number;
  /** The fact concerned, when the problem is about one fact. */
  factId?: string;
  /** What is wrong, in a sentence. */
  message: string;
}

/** What `store.verify()` found. */
export interface VerifyResult {
  /** True when no problem was found. */
  ok: boolean;
  /** Facts read and checked (hash, seq, causation). */
  factsChecked: number;
  /** Every problem, in the order found (causation problems last). */
  problems: VerifyProblem[];
  /**
   * Findings that are no damage: causations (kind `'causation'`) naming no stored or pruned fact,
   * which an explicit causation may do by design (`write` stores it unchecked). When the files
   * are damaged they are listed as problems instead, since they may name facts the damage lost.
   */
  warnings: VerifyProblem[];
}

/**
 * What a backend's `verifyFiles()` yields: a fact read back from a data file with where it lies,
 * or a problem of the files themselves. Facts of one file come in file order, one file after
 * another.
 */
export type StoredEntry = { fact: Fact; file: string; offset: number } | { problem: VerifyProblem };
