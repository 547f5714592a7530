import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';

/** The input of `registerDerivation`: a gather rule over the matching latest facts of a store. */
export interface DerivationInput {
  /** Name used in provenance; defaults to "<sourceStore>-><targetStore>/<targetKey>". */
  name?: string;
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
export interface ScatterInput {
  /** Name used in provenance; defaults to "<sourceStore>-><targetStore> by <partitionBy>". */
  name?: string;
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

/** The input of `registerProjection`: inspectable metadata of a read model. */
export interface ProjectionInput {
  /** The projection name (its identity). */
  name: string;
  /** The stores it reads. */
  reads: string[];
  /** The relations it uses. */
  relations?: string[];
  /** What consumes it (metadata). */
  consumerHint?: string;
  /** Whether it is meant to update on every commit (metadata). */
  reactive?: boolean;
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
