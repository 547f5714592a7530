/** The packet of `rebuild`. */
export interface RebuildPacket {
  /** The rule to rebuild. */
  name: string;
  /** Build this store instead of the rule's target, then switch the rule to it. */
  into?: string;
}

/** `rebuild`'s answer. */
export interface RebuildResultPacket {
  name: string;
  /** The store the rule writes to now. */
  target: string;
  /** Source facts the rebuild computed from. */
  source_facts: number;
  /** Target facts it wrote (only values that differed). */
  written: number;
}

/** The packet of `resume_rule`. */
export interface RuleNamePacket {
  /** The rule's name. */
  name: string;
}

/** One rule in `rule_status` (see `IgniterStore.ruleStatus`). */
export interface RuleStatusPacket {
  name: string;
  kind: 'derivation' | 'scatter' | 'projection' | 'relation';
  state: 'running' | 'stopped' | 'rebuilding';
  target: string;
  last_source_seq: number;
  written: number;
  failures: number;
  lag: number;
  last_error: { code: string; message: string; source_fact_id: string } | null;
}

/** `rule_status`'s answer: every rule in registration order. */
export interface RuleStatusResult {
  rules: RuleStatusPacket[];
  count: number;
}
