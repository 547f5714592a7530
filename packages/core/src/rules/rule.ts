import type { IgniterError } from '../errors.js';
import type { RuleProgram } from './program.js';
import type { RuleErrorPolicy, RuleFailure, RuleState, RuleStatus } from './types.js';

/** What a rule's rebuild tells its status. */
export interface RebuildProgress {
  /** The seq of the last source fact the rebuild folded. */
  readonly lastSourceSeq: number;
  /** Source facts committed that the rebuild has not folded yet. */
  lag(): number;
  /** Facts were removed (compaction, prune): the rebuild starts over. */
  restart(): void;
  /** The live rule wrote (store, key): the rebuild compares that key again. */
  touched(store: string, key: string): void;
}

/** A registered rule as it runs: its program, where it writes, its state and its counters. */
export class Rule {
  readonly name: string;
  readonly program: RuleProgram;
  readonly onError: RuleErrorPolicy;
  /** The store it writes to (a rebuild `into` another store switches it). */
  target: string;
  state: RuleState = 'running';
  /** The seq of the last source fact applied. */
  lastSourceSeq = 0;
  written = 0;
  failures = 0;
  /** Source facts passed over while stopped. */
  skipped = 0;
  lastError: RuleFailure | null = null;
  /** The error that stopped the rule (what a rebuild that it interrupts rejects with). */
  stoppedBy: IgniterError | undefined;
  /** The rebuild in progress, if any. */
  rebuild: RebuildProgress | undefined;

  constructor(name: string, program: RuleProgram, target: string, onError: RuleErrorPolicy) {
    this.name = name;
    this.program = program;
    this.target = target;
    this.onError = onError;
  }

  /** A snapshot for `ruleStatus()`. */
  status(): RuleStatus {
    const rebuild = this.rebuild;
    return {
      name: this.name,
      kind: this.program.kind,
      state: this.state,
      target: this.target,
      lastSourceSeq: rebuild ? rebuild.lastSourceSeq : this.lastSourceSeq,
      written: this.written,
      failures: this.failures,
      lag: rebuild ? rebuild.lag() : this.state === 'stopped' ? this.skipped : 0,
      lastError: this.lastError ? { ...this.lastError } : null,
    };
  }
}
