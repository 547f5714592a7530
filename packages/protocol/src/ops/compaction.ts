import { IgniterError } from '@igniter/core';
import type { OpContext } from '../context.js';
import { effectiveLimit } from '../limits.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toCompactionEntry } from '../wire-form.js';
import type { CompactionActivityPacket, CompactionActivityResult, CompactionKind } from '../wire-types.js';

const KINDS: ReadonlySet<string> = new Set<CompactionKind>([
  'retention_compaction',
  'exact_prune',
  'segment_purge',
]);

/**
 * Retention compactions, exact prunes and segment purges, oldest first: of one store (an exact
 * prune counts when any pruned fact was in it), of one kind, with `occurred_at >= since`; the
 * newest `limit` (default 100, max 10_000) of them, `has_more` when older ones were left out
 * (C-15). `filters` echoes the normalised inputs. Throws `ERR_INVALID_ARGUMENT` for an unknown
 * kind or a bad limit. Cost: O(receipts).
 */
export function compactionActivity(ctx: OpContext, packet: unknown = {}): CompactionActivityResult {
  const p = decodePacket<CompactionActivityPacket>(SPECS.compaction_activity, packet, 'compaction_activity');
  if (p.kind !== undefined && !KINDS.has(p.kind)) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      `unknown compaction activity kind: ${JSON.stringify(p.kind)}`,
      {
        details: { field: 'kind' },
      },
    );
  }
  const limit = effectiveLimit('compaction_activity', p.limit);
  const entries = ctx.store
    .compactionActivity(p.store === undefined ? {} : { store: p.store })
    .filter(
      (e) =>
        (p.kind === undefined || e.kind === p.kind) && (p.since === undefined || e.occurredAt >= p.since),
    );
  const activity = entries.slice(Math.max(0, entries.length - limit)).map(toCompactionEntry);
  return {
    schema_version: 1,
    generated_at: ctx.now(),
    filters: { store: p.store ?? null, kind: p.kind ?? null, since: p.since ?? null, limit },
    activity,
    count: activity.length,
    has_more: entries.length > limit,
  };
}
