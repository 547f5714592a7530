import { type CommittedLog, type Fact, IgniterError } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toFactPacket } from '../wire-form.js';
import type { SyncHubProfile, SyncPacket } from '../wire-types.js';
import { compactionActivity } from './compaction.js';
import { checkCursor, isInternal } from './replay.js';
import { metadataSnapshot } from './snapshots.js';

function factsOfStores(log: CommittedLog, stores: readonly string[], after: number, take: number): Fact[] {
  const merged: Fact[] = [];
  for (const store of new Set(stores)) {
    if (store.length === 0) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', 'stores must be non-empty names', {
        details: { field: 'stores' },
      });
    }
    for (const fact of log.factsOf(store)) if (fact.seq > after) merged.push(fact);
  }
  return merged.sort((a, b) => a.seq - b.seq).slice(0, take);
}

/**
 * A hub's sync bundle after a seq cursor (D2, fixing C-2 and C-5): the metadata snapshot, one
 * page of stored facts (of the named `stores`, else every user store, internal ones with
 * `include_internal`), `next_cursor` (always set: the input cursor when nothing is new) with
 * `has_more`, and the compaction activity. `full` when the cursor is 0 or absent. Limit
 * default 1000, max 10_000. Throws `ERR_INVALID_ARGUMENT`.
 */
export function syncHubProfile(ctx: OpContext, packet: unknown = {}): SyncHubProfile {
  const p = decodePacket<SyncPacket>(SPECS.sync_hub_profile, packet, 'sync_hub_profile');
  const after = checkCursor(p.after, ctx.store.lastSeq());
  const limit = effectiveLimit('sync_hub_profile', p.limit);
  const log = ctx.store.committedLog();
  const internal = p.include_internal === true;
  const selected =
    p.stores === undefined
      ? log.factsAfter(after, limit + 1, (f) => internal || !isInternal(f))
      : factsOfStores(log, p.stores, after, limit + 1);
  const page = selected.slice(0, limit);
  const descriptors = metadataSnapshot(ctx);
  return {
    schema_version: 1,
    kind: 'sync_hub_profile',
    generated_at: ctx.now(),
    cursor: p.after ?? null,
    full: after === 0,
    descriptors,
    facts: page.map(toFactPacket),
    fact_count: page.length,
    next_cursor: page.at(-1)?.seq ?? after,
    has_more: selected.length > limit,
    retention: descriptors.retention,
    compaction_activity: compactionActivity(ctx),
  };
}
