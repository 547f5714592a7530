import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toFactRefPacket } from '../wire-form.js';
import type { CausationChainResult, FactRefResult, LineageResult, SubjectPacket } from '../wire-types.js';

/**
 * The causation chain of (store, key), oldest first: one step per fact with the first 12 hex
 * chars of its value hash. At most `limit` (default 1000, max 10_000) with `has_more`. Throws
 * `ERR_INVALID_ARGUMENT`. Cost: O(facts of the key).
 */
export function causationChain(ctx: OpContext, packet: unknown): CausationChainResult {
  const p = decodePacket<SubjectPacket>(SPECS.causation_chain, packet, 'causation_chain');
  const limit = effectiveLimit('causation_chain', p.limit);
  const steps = ctx.store.causationChain({ store: p.store, key: p.key });
  const chain = steps.slice(0, limit).map((s) => ({
    id: s.id,
    value_hash: s.valueHash,
    causation: s.causation,
    transaction_time: s.transactionTime,
  }));
  return { chain, count: chain.length, has_more: steps.length > limit };
}

/**
 * The lineage of (store, key): its facts (oldest first, at most `limit`, default 1000, max
 * 10_000, with `has_more`), the rules that wrote it and the derivations fed by its store, and `depth` and
 * `proof_hash` over the whole chain (SHA-256 of "id:value_hash:causation" joined by "|"; null
 * for no facts). Throws `ERR_INVALID_ARGUMENT`. Cost: O(facts of the key).
 */
export function lineage(ctx: OpContext, packet: unknown): LineageResult {
  const p = decodePacket<SubjectPacket>(SPECS.lineage, packet, 'lineage');
  const limit = effectiveLimit('lineage', p.limit);
  const l = ctx.store.lineage({ store: p.store, key: p.key });
  return {
    subject: { store: l.subject.store, key: l.subject.key },
    chain: l.chain.slice(0, limit).map((e) => ({
      id: e.id,
      store: e.store,
      key: e.key,
      causation: e.causation,
      value_hash: e.valueHash,
      transaction_time: e.transactionTime,
      valid_time: e.validTime,
      schema_version: e.schemaVersion,
    })),
    depth: l.depth,
    derived_by: l.derivedBy.map((d) => ({
      rule: d.rule,
      kind: d.kind,
      source_store: d.sourceStore,
      target_store: d.targetStore,
      target_key: d.targetKey,
      source_filters: d.sourceFilters,
    })),
    proof_hash: l.proofHash,
    has_more: l.chain.length > limit,
  };
}

/**
 * A reference to a live fact (never its value): `{ found: true, ref }`, or
 * `{ found: false, ref: null }` for an unknown, pruned or compacted id. Cost: O(1).
 */
export function factRef(ctx: OpContext, packet: unknown): FactRefResult {
  const p = decodePacket<{ fact_id: string }>(SPECS.fact_ref, packet, 'fact_ref');
  const ref = ctx.store.factRef(p.fact_id);
  return ref ? { found: true, ref: toFactRefPacket(ref) } : { found: false, ref: null };
}
