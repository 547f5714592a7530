import assert from 'node:assert/strict';
import type { WireClient } from './client.js';
import { check } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.4';
const PACKET_FIELDS = [
  'causation',
  'derivation',
  'id',
  'key',
  'kind',
  'producer',
  'schema_version',
  'seq',
  'store',
  'transaction_time',
  'valid_time',
  'value',
  'value_hash',
];

async function threeTasks(client: WireClient): Promise<void> {
  for (const key of ['t1', 't2', 't3']) await client.write('tasks', key, { title: key });
}

async function trackerLogs(client: WireClient, values: Array<[string, number]>): Promise<string[]> {
  const keys: string[] = [];
  for (const [tracker, value] of values) {
    const r = await client.ok('append', {
      history: 'tracker_logs',
      event: { tracker_id: tracker, value },
      partition_key: 'tracker_id',
    });
    keys.push(r.key ?? '');
  }
  return keys;
}

/** §5.4 Sync profile and replay, by an exclusive seq cursor with limits (D2, D7; fixing C-2, C-5). */
export const replayChecks: readonly ConformanceCheck[] = [
  check(
    'B63',
    S,
    'replay answers fact packets with every fact field, record schema_version included',
    async ({ client }) => {
      await threeTasks(client);
      const { facts, count } = await client.ok('replay', {});
      assert.equal(count, 3);
      for (const fact of facts) {
        assert.deepEqual(Object.keys(fact).sort(), PACKET_FIELDS);
        assert.deepEqual([fact.kind, fact.schema_version], ['fact', 1]);
      }
      assert.deepEqual(
        facts.map((f) => f.key),
        ['t1', 't2', 't3'],
      );
    },
  ),
  check('B64', S, 'a store filter replays only that store', async ({ client }) => {
    await threeTasks(client);
    await client.write('projects', 'p1', { name: 'P' });
    const { facts } = await client.ok('replay', { filter: { store: 'tasks' } });
    assert.deepEqual(
      facts.map((f) => f.store),
      ['tasks', 'tasks', 'tasks'],
    );
  }),
  check('B65', S, 'a key filter replays exactly that key', async ({ client }) => {
    const keys = await trackerLogs(client, [
      ['sleep', 7],
      ['sleep', 8.5],
      ['training', 45],
    ]);
    const { facts } = await client.ok('replay', { filter: { store: 'tracker_logs', key: keys[1] ?? '' } });
    assert.deepEqual(
      facts.map((f) => [f.key, f.value]),
      [[keys[1], { tracker_id: 'sleep', value: 8.5 }]],
    );
  }),
  check('B66', S, 'a partition filter replays that partition in order', async ({ client }) => {
    await trackerLogs(client, [
      ['sleep', 7],
      ['training', 45],
      ['sleep', 8.5],
    ]);
    const { facts } = await client.ok('replay', {
      filter: { store: 'tracker_logs', partition_key: 'tracker_id', partition_value: 'sleep' },
    });
    assert.deepEqual(
      facts.map((f) => (f.value as { value: number }).value),
      [7, 8.5],
    );
  }),
  check(
    'B67',
    S,
    'a partition replay after a seq cursor, limited, answers the slice between two points',
    async ({ client }) => {
      await trackerLogs(client, [['sleep', 6]]);
      const lower = (await client.ok('replay', {})).next_cursor;
      await trackerLogs(client, [
        ['sleep', 7],
        ['sleep', 8.5],
      ]);
      const filter = { store: 'tracker_logs', partition_key: 'tracker_id', partition_value: 'sleep' };
      const page = await client.ok('replay', { after: lower, limit: 1, filter });
      assert.deepEqual(
        [page.facts.map((f) => (f.value as { value: number }).value), page.has_more],
        [[7], true],
      );
    },
  ),
  check('B68', S, 'replay after a cursor answers only later facts', async ({ client }) => {
    await threeTasks(client);
    const cursor = (await client.ok('replay', {})).next_cursor;
    await client.write('tasks', 't4', { title: 't4' });
    const { facts } = await client.ok('replay', { after: cursor });
    assert.deepEqual(
      facts.map((f) => f.key),
      ['t4'],
    );
  }),
  check(
    'C-5',
    S,
    'paging by next_cursor sees every fact once; an exhausted cursor stays put',
    async ({ client }) => {
      for (let i = 1; i <= 5; i++) await client.write('tasks', `t${i}`, { i });
      const seen: string[] = [];
      const more: boolean[] = [];
      let after = 0;
      for (;;) {
        const page = await client.ok('replay', { after, limit: 2 });
        seen.push(...page.facts.map((f) => f.key));
        more.push(page.has_more);
        assert.equal(page.count, page.facts.length);
        after = page.next_cursor;
        if (!page.has_more) break;
      }
      assert.deepEqual(seen, ['t1', 't2', 't3', 't4', 't5']);
      assert.deepEqual(more, [true, true, false]);
      assert.deepEqual(await client.ok('replay', { after }), {
        facts: [],
        count: 0,
        next_cursor: after,
        has_more: false,
      });
    },
  ),
  check(
    'D7-replay',
    S,
    'replay limits: default 1000, over 10_000 or a negative cursor is ERR_INVALID_ARGUMENT',
    async ({ client }) => {
      assert.equal((await client.error('replay', { limit: 10_001 })).error_code, 'ERR_INVALID_ARGUMENT');
      assert.equal((await client.error('replay', { after: -1 })).error_code, 'ERR_INVALID_ARGUMENT');
      assert.equal((await client.error('replay', { limit: '5' })).error_code, 'ERR_BAD_REQUEST');
      assert.equal(
        (await client.error('replay', { filter: { key: 'k' } })).error_code,
        'ERR_INVALID_ARGUMENT',
      );
      const described = await client.ok('describe');
      assert.deepEqual(described.limits.replay, { default: 1000, max: 10_000 });
    },
  ),
  check('D4', S, 'internal stores are replayed only when asked for', async ({ client }) => {
    await client.register({ kind: 'store', name: 'tasks', key: 'id' });
    await client.write('tasks', 't1', {});
    const plain = await client.ok('replay', {});
    assert.deepEqual(
      plain.facts.map((f) => f.store),
      ['tasks'],
    );
    const all = await client.ok('replay', { include_internal: true });
    assert.deepEqual(
      all.facts.map((f) => f.store),
      ['__descriptors', 'tasks'],
    );
  }),
  check(
    'B69',
    S,
    'sync_hub_profile answers metadata, facts, a cursor and compaction activity',
    async ({ client }) => {
      await threeTasks(client);
      const profile = await client.ok('sync_hub_profile', {});
      assert.deepEqual(
        [profile.kind, profile.schema_version, profile.full, profile.fact_count],
        ['sync_hub_profile', 1, true, 3],
      );
      assert.ok(Number.isInteger(profile.generated_at));
      assert.equal(profile.descriptors.schema_version, 1);
      assert.equal(profile.compaction_activity.schema_version, 1);
      assert.deepEqual([profile.cursor, profile.next_cursor], [null, profile.facts.at(-1)?.seq]);
    },
  ),
  check('B70', S, 'an incremental sync from a cursor answers only the new facts', async ({ client }) => {
    await threeTasks(client);
    const cursor = (await client.ok('sync_hub_profile', {})).next_cursor;
    await client.write('tasks', 't5', {});
    const profile = await client.ok('sync_hub_profile', { after: cursor });
    assert.deepEqual([profile.full, profile.cursor, profile.fact_count], [false, cursor, 1]);
  }),
  check('B71', S, 'a sync limited to stores answers only their facts', async ({ client }) => {
    await threeTasks(client);
    await client.write('projects', 'p1', {});
    const profile = await client.ok('sync_hub_profile', { stores: ['tasks'] });
    assert.deepEqual([profile.fact_count, [...new Set(profile.facts.map((f) => f.store))]], [3, ['tasks']]);
  }),
  check(
    'B73',
    S,
    're-syncing from next_cursor without writes answers nothing and keeps the cursor (C-5)',
    async ({ client }) => {
      await threeTasks(client);
      const cursor = (await client.ok('sync_hub_profile', {})).next_cursor;
      const again = await client.ok('sync_hub_profile', { after: cursor });
      assert.deepEqual([again.fact_count, again.next_cursor, again.has_more], [0, cursor, false]);
    },
  ),
];
