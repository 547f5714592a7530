import type { RuleStatus } from '@igniter/core';
import type { OpContext } from '../context.js';
import { decodePacket } from '../packet-spec.js';
import type {
  RebuildPacket,
  RebuildResultPacket,
  RuleNamePacket,
  RuleStatusPacket,
  RuleStatusResult,
} from '../rule-types.js';
import { SPECS } from '../specs.js';

function toRulePacket(r: RuleStatus): RuleStatusPacket {
  return {
    name: r.name,
    kind: r.kind,
    state: r.state,
    target: r.target,
    last_source_seq: r.lastSourceSeq,
    written: r.written,
    failures: r.failures,
    lag: r.lag,
    last_error: r.lastError
      ? { code: r.lastError.code, message: r.lastError.message, source_fact_id: r.lastError.sourceFactId }
      : null,
  };
}

/** Every rule of the store with its state, counters and lag (`IgniterStore.ruleStatus`). Cost: O(rules). */
export function ruleStatus(ctx: OpContext): RuleStatusResult {
  const rules = ctx.store.ruleStatus().map(toRulePacket);
  return { rules, count: rules.length };
}

/**
 * Rebuilds a rule from its source facts (`IgniterStore.rebuild`); resolves when the target is
 * caught up. Rejects with `ERR_INVALID_ARGUMENT` (unknown rule, a rule already rebuilding, a bad
 * `into`), `ERR_RESERVED_NAME`, `ERR_CLOSED` or the `ERR_RULE_FAILED` that stopped the rule.
 */
export async function rebuild(ctx: OpContext, packet: unknown): Promise<RebuildResultPacket> {
  const p = decodePacket<RebuildPacket>(SPECS.rebuild, packet, 'rebuild');
  const result = await ctx.store.rebuild(p.name, p.into === undefined ? {} : { into: p.into });
  return {
    name: result.name,
    target: result.target,
    source_facts: result.sourceFacts,
    written: result.written,
  };
}

/**
 * Lets a stopped rule run again from the next source fact (`IgniterStore.resume`); answers its
 * status. Throws `ERR_INVALID_ARGUMENT` for an unknown rule.
 */
export function resumeRule(ctx: OpContext, packet: unknown): RuleStatusPacket {
  const p = decodePacket<RuleNamePacket>(SPECS.resume_rule, packet, 'resume_rule');
  ctx.store.resume(p.name);
  const status = ctx.store.ruleStatus().find((r) => r.name === p.name) as RuleStatus;
  return toRulePacket(status);
}
