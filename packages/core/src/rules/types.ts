import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';

/**
 * What a rule does when its code throws for a source fact (the committed fact always stays):
 * `report` calls `onRuleError`; `skip` also writes one fact to `__dead_letters`; `stop` reports
 * and pauses the rule until `resume(name)`. A rule is never retried in a loop.
 */
export type RuleErrorPolicy = 'report' | 'skip' | 'stop';

/** The options every executable rule takes besides its definition. */
export interface RuleOptions {
  /**
   * The rule's name, unique among all rules of the store (derivations, scatters, relations,
   * projections); facts it writes carry `derivation.rule` = this name. Generated when omitted.
   */
  name?: string;
  /** What to do when the rule's code throws (default `'report'`). */
  onError?: RuleErrorPolicy;
  /**
   * Run the rule at registration over the current latest facts of its source store(s), in seq
   * order, writing derived facts as a live run would (default `false`: only later facts).
   */
  backfill?: boolean;
}

/** The input of `registerDerivation`: a gather rule over the matching latest facts of a store. */
export interface DerivationInput extends RuleOptions {
  /** The store whose commits re-run the rule. */
  sourceStore: string;
  /** Field equality on the latest value of each source key (default: every key). */
  sourceFilters?: JsonObject;
  /** The store the derived value is written to. */
  targetStore: string;
  /** The target key, or a function of the input facts that picks it. */
  targetKey: string | ((facts: Fact[]) => string);
  /** Computes the derived value from the matching latest facts (seq order); null skips the write. */
  rule: (facts: Fact[]) => Json | null;
}

/** The input of `registerScatter`: one derived write per partition value of each source fact. */
export interface ScatterInput extends RuleOptions {
  /** The store whose commits trigger the scatter. */
  sourceStore: string;
  /** The value field whose value names the target key. */
  partitionBy: string;
  /** The store the scattered values are written to. */
  targetStore: string;
  /** Computes the new target value; null skips the write. */
  rule: (partitionValue: Json, existing: Json | undefined, fact: Fact) => Json | null;
}

/** The input of `registerRelation`. */
export interface RelationInput {
  /** The store whose facts are indexed. */
  source: string;
  /** The value field that relates a source key to a partition value. */
  partition: string;
  /** The store the partition values refer to (metadata). */
  target: string;
}

/**
 * The input of `registerProjection`: a read model. Without `rule` it is inspectable metadata
 * only. With `targetStore`, `targetKey` and `rule` it also runs: every fact committed to one of
 * `reads` (seq order) folds into the target key's value, like a scatter over several stores.
 */
export interface ProjectionInput extends RuleOptions {
  /** The projection name (its identity; generated from `reads` when omitted). */
  name?: string;
  /** The stores it reads (the source stores of a running projection). */
  reads: string[];
  /** The relations it uses. */
  relations?: string[];
  /** What consumes it (metadata). */
  consumerHint?: string;
  /** Whether it is meant to update on every commit (metadata). */
  reactive?: boolean;
  /** The store a running projection writes to. */
  targetStore?: string;
  /** The target key: fixed, or a function of the source fact (null skips the fact). */
  targetKey?: string | ((fact: Fact) => string | null);
  /** Folds a source fact into the target key's current value; null skips the write. */
  rule?: (existing: Json | undefined, fact: Fact) => Json | null;
}

/** The value of a relation index entry in `__rel_<name>`: a grow-only set of source keys. */
export interface RelationIndexValue {
  [field: string]: Json;
  /** Source keys ever seen under the partition value (grow-only). */
  keys: string[];
  /** The number of keys. */
  count: number;
  /** The partition value this entry indexes. */
  partitionValue: Json;
}

/** The kinds of rules `ruleStatus()` lists. */
export type RuleKind = 'derivation' | 'scatter' | 'projection' | 'relation';

/** Whether a rule runs, is paused by its `stop` policy, or is being rebuilt. */
export type RuleState = 'running' | 'stopped' | 'rebuilding';

/** The last failure of a rule, as `ruleStatus()` reports it. */
export interface RuleFailure {
  /** The error code (`ERR_RULE_FAILED`). */
  code: string;
  /** What failed and why. */
  message: string;
  /** The id of the source fact the rule failed on. */
  sourceFactId: string;
}

/** One rule in `ruleStatus()`. */
export interface RuleStatus {
  /** The rule's unique name. */
  name: string;
  /** What kind of rule it is. */
  kind: RuleKind;
  /** `running`, `stopped` (by its `stop` policy, until `resume`) or `rebuilding`. */
  state: RuleState;
  /** The store it writes to. */
  target: string;
  /**
   * The seq of the last source fact it applied (0 before the first); while rebuilding, the
   * last one the rebuild has folded.
   */
  lastSourceSeq: number;
  /** Facts it has written (live, backfill and rebuilds). */
  written: number;
  /** Source facts its code failed on. */
  failures: number;
  /**
   * Source facts committed but not applied yet: 0 while running, growing while stopped, the
   * facts left to fold while rebuilding.
   */
  lag: number;
  /** Its last failure, or null. */
  lastError: RuleFailure | null;
}

/** Options of `rebuild(name, options)`. */
export interface RebuildOptions {
  /** Build this store instead of the target, then switch the rule to it in one step. */
  into?: string;
}

/** What `rebuild` did. */
export interface RebuildResult {
  /** The rule's name. */
  name: string;
  /** The store the rule writes to now (`into` when given). */
  target: string;
  /** Source facts the rebuild computed from. */
  sourceFacts: number;
  /** Target facts it wrote (only values that differed). */
  written: number;
}

/** The value of a fact in `__dead_letters` (key = the failing source fact's id). */
export interface DeadLetter {
  [field: string]: Json;
  /** The rule that failed. */
  rule: string;
  /** The source fact it failed on. */
  sourceFactId: string;
  /** The source fact's store. */
  store: string;
  /** The source fact's key. */
  key: string;
  /** The failure. */
  error: { code: string; message: string };
}
