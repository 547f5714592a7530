import assert from 'node:assert/strict';
import { check } from './define.js';
import type { CheckContext, ConformanceCheck, LifecycleHooks } from './kit.js';

function hooks({ subject }: CheckContext): LifecycleHooks {
  assert.ok(subject.lifecycle, 'this check needs lifecycle hooks');
  return subject.lifecycle;
}

/** Two writes to one key of an ephemeral store, then a compaction: one retention_compaction. */
async function compactOnce(context: CheckContext, store: string): Promise<void> {
  const lifecycle = hooks(context);
  await lifecycle.setRetention(store, { strategy: 'ephemeral' });
  await context.client.write(store, 'k', { v: 1 });
  await context.client.write(store, 'k', { v: 2 });
  await lifecycle.compact(store);
}

/** §5.5 Compaction activity (fixing C-15) and §5.6 observability. */
export const activityChecks: readonly ConformanceCheck[] = [
  check(
    'B74',
    '5.5',
    'compaction_activity on an empty store answers no activity and echoes default filters',
    async ({ client }) => {
      const activity = await client.ok('compaction_activity', {});
      assert.ok(Number.isInteger(activity.generated_at));
      assert.deepEqual(
        { ...activity, generated_at: 0 },
        {
          schema_version: 1,
          generated_at: 0,
          filters: { store: null, kind: null, since: null, limit: 100 },
          activity: [],
          count: 0,
          has_more: false,
        },
      );
    },
  ),
  check(
    'B75',
    '5.5',
    'a retention compaction and an exact prune both show as activity',
    async (context) => {
      await compactOnce(context, 'things');
      const { facts } = await context.client.ok('replay', { filter: { store: 'things' } });
      await hooks(context).pruneFactIds([facts[0]?.id ?? ''], 'test_clean');
      const { activity } = await context.client.ok('compaction_activity', {});
      assert.deepEqual(
        activity.map((a) => [a.kind, a.store, a.fact_count]),
        [
          ['retention_compaction', 'things', 1],
          ['exact_prune', 'things', 1],
        ],
      );
    },
    ['lifecycle'],
  ),
  check(
    'B76',
    '5.5',
    'a store filter keeps only that store, an exact prune elsewhere included (C-15)',
    async (context) => {
      await compactOnce(context, 'alpha');
      await compactOnce(context, 'beta');
      const beta = await context.client.ok('replay', { filter: { store: 'beta' } });
      await hooks(context).pruneFactIds([beta.facts[0]?.id ?? ''], 'cleanup');
      const alpha = await context.client.ok('compaction_activity', { store: 'alpha' });
      assert.deepEqual(
        [alpha.filters.store, alpha.activity.map((a) => [a.kind, a.store])],
        ['alpha', [['retention_compaction', 'alpha']]],
      );
    },
    ['lifecycle'],
  ),
  check(
    'B77',
    '5.5',
    'kind, since and limit filter the activity; limit keeps the newest with has_more (C-15)',
    async (context) => {
      const { client } = context;
      await compactOnce(context, 'alpha');
      await compactOnce(context, 'beta');
      const byKind = await client.ok('compaction_activity', { kind: 'retention_compaction' });
      assert.deepEqual([byKind.filters.kind, byKind.count], ['retention_compaction', 2]);
      assert.equal((await client.ok('compaction_activity', { kind: 'exact_prune' })).count, 0);
      const future = await client.ok('compaction_activity', { since: 8_000_000_000_000 });
      assert.deepEqual([future.filters.since, future.activity], [8_000_000_000_000, []]);
      const newest = await client.ok('compaction_activity', { limit: 1 });
      assert.deepEqual(
        [newest.filters.limit, newest.count, newest.has_more, newest.activity[0]?.store],
        [1, 1, true, 'beta'],
      );
    },
    ['lifecycle'],
  ),
  check(
    'B78',
    '5.5',
    'compaction_activity over the wire echoes filters, refuses unknown keys and takes a null packet',
    async ({ client }) => {
      const echoed = await client.ok('compaction_activity', {
        store: 'orders',
        kind: 'exact_prune',
        since: 1714000000,
        limit: 50,
      });
      assert.deepEqual(echoed.filters, {
        store: 'orders',
        kind: 'exact_prune',
        since: 1714000000,
        limit: 50,
      });
      assert.equal((await client.ok('compaction_activity', null)).count, 0);
      const extra = await client.error('compaction_activity', { store: 'orders', extra: 1 });
      assert.deepEqual(
        [extra.error_code, extra.error],
        ['ERR_BAD_REQUEST', 'compaction_activity: unknown field: extra'],
      );
    },
  ),
  check(
    'B82',
    '5.5',
    'a negative or oversize limit and an unknown kind are ERR_INVALID_ARGUMENT',
    async ({ client }) => {
      for (const packet of [{ limit: -1 }, { limit: 10_001 }, { kind: 'shredding' }]) {
        assert.equal((await client.error('compaction_activity', packet)).error_code, 'ERR_INVALID_ARGUMENT');
      }
    },
  ),
  check(
    'B83',
    '5.6',
    'observability_snapshot answers status, times in ms, storage and alerts',
    async ({ client }) => {
      const snapshot = await client.ok('observability_snapshot');
      assert.ok(Number.isInteger(snapshot.generated_at));
      assert.deepEqual(
        [snapshot.schema_version, snapshot.status, snapshot.uptime_ms, snapshot.metrics, snapshot.server],
        [1, 'ready', null, null, null],
      );
      assert.ok(Array.isArray(snapshot.alerts));
      if (snapshot.storage === null) assert.deepEqual(snapshot.alerts, []);
    },
  ),
  check(
    'B84',
    '5.6',
    'observability storage agrees with storage_stats and metadata_snapshot',
    async ({ client }) => {
      await client.write('readings', 'r1', { v: 1 });
      const stats = await client.ok('storage_stats', {});
      const snapshot = await client.ok('observability_snapshot');
      const meta = await client.ok('metadata_snapshot');
      assert.deepEqual([snapshot.storage, meta.storage ?? null], [stats, stats]);
    },
  ),
];
