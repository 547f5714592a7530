import assert from 'node:assert/strict';
import { check } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.3';

/** The v1 reads: the latest fact with its seq, keys, stores and paged queries without registration. */
export const v1ReadChecks: readonly ConformanceCheck[] = [
  check(
    'V1-read_fact',
    S,
    'read_fact answers the latest fact with its seq, which expect takes; a miss is found: false',
    async ({ client }) => {
      await client.write('tasks', 't1', { status: 'open' });
      const second = await client.write('tasks', 't1', { status: 'done' });
      const read = await client.ok('read_fact', { store: 'tasks', key: 't1' });
      assert.equal(read.found, true);
      assert.deepEqual(
        [read.fact?.id, read.fact?.seq, read.fact?.value, read.fact?.value_hash],
        [second.fact_id, second.seq, { status: 'done' }, second.value_hash],
      );
      const next = await client.ok('write', {
        store: 'tasks',
        key: 't1',
        value: { status: 'archived' },
        expect: { seq: read.fact?.seq ?? 0 },
      });
      assert.equal(next.status, 'accepted');
      assert.deepEqual(await client.ok('read_fact', { store: 'tasks', key: 'nope' }), {
        found: false,
        fact: null,
      });
      assert.equal((await client.error('read_fact', { store: 'tasks' })).error_code, 'ERR_BAD_REQUEST');
    },
  ),
  check(
    'V1-keys',
    S,
    'keys lists live keys in UTF-16 order by prefix, and pages with after and next_cursor',
    async ({ client }) => {
      for (const key of ['b2', 'a1', 'b1', 'B0', 'c1']) await client.write('tasks', key, 1);
      assert.deepEqual(await client.ok('keys', { store: 'tasks', prefix: 'b' }), {
        keys: ['b1', 'b2'],
        count: 2,
        has_more: false,
        next_cursor: null,
      });
      const first = await client.ok('keys', { store: 'tasks', limit: 2 });
      assert.deepEqual([first.keys, first.has_more, first.next_cursor], [['B0', 'a1'], true, 'a1']);
      const rest = await client.ok('keys', { store: 'tasks', after: first.next_cursor ?? '', limit: 10 });
      assert.deepEqual(rest.keys, ['b1', 'b2', 'c1']);
      assert.equal(
        (await client.error('keys', { store: 'tasks', limit: 10_001 })).error_code,
        'ERR_INVALID_ARGUMENT',
      );
    },
  ),
  check(
    'V1-stores',
    S,
    'stores lists user stores with fact and key counts, never the internal ones',
    async ({ client }) => {
      await client.write('tasks', 't1', 1);
      await client.write('tasks', 't1', 2);
      await client.write('notes', 'n1', 1);
      await client.register({ kind: 'store', name: 'tasks', key: 'id' });
      assert.deepEqual(await client.ok('stores'), {
        stores: [
          { store: 'notes', fact_count: 1, key_count: 1 },
          { store: 'tasks', fact_count: 2, key_count: 1 },
        ],
        count: 2,
        has_more: false,
        next_cursor: null,
      });
      const page = await client.ok('stores', { limit: 1 });
      assert.deepEqual([page.stores.map((s) => s.store), page.next_cursor], [['notes'], 'notes']);
      assert.deepEqual(
        (await client.ok('stores', { after: 'notes' })).stores.map((s) => s.store),
        ['tasks'],
      );
    },
  ),
  check(
    'V1-query-pages',
    S,
    'query without registration pages by key with where, limit, after and next_cursor',
    async ({ client }) => {
      for (const [key, status] of [
        ['t4', 'open'],
        ['t1', 'open'],
        ['t2', 'done'],
        ['t3', 'open'],
      ] as const) {
        await client.write('tasks', key, { status });
      }
      const first = await client.ok('query', { store: 'tasks', where: { status: 'open' }, limit: 2 });
      assert.deepEqual(
        [first.items.map((i) => i.key), first.has_more, first.next_cursor],
        [['t1', 't3'], true, 't3'],
      );
      const rest = await client.ok('query', { store: 'tasks', where: { status: 'open' }, after: 't3' });
      assert.deepEqual(
        [rest.items.map((i) => i.key), rest.has_more, rest.next_cursor],
        [['t4'], false, null],
      );
      const both = await client.error('query', { store: 'tasks', order: 'status', after: 't1' });
      assert.deepEqual([both.error_code, both.error_details], ['ERR_INVALID_ARGUMENT', { field: 'after' }]);
      assert.equal((await client.error('query', { store: 'tasks', after: 3 })).error_code, 'ERR_BAD_REQUEST');
    },
  ),
];
