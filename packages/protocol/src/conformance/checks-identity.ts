import assert from 'node:assert/strict';
import { assertMessage } from './client.js';
import { check } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.1';

/** §5.1 Descriptor identity (kind, name): unchanged, conflict and replace (D5, fixing C-3); write receipts. */
export const identityChecks: readonly ConformanceCheck[] = [
  check(
    'B26',
    S,
    'the same descriptor again is unchanged, whatever its key order (C-3)',
    async ({ client }) => {
      const first = await client.register({ kind: 'store', name: 'things', key: 'id', fields: ['id'] });
      const again = await client.register({ fields: ['id'], key: 'id', name: 'things', kind: 'store' });
      assert.equal(again.status, 'unchanged');
      assert.deepEqual([again.fact_id, again.value_hash], [first.fact_id, first.value_hash]);
    },
  ),
  check(
    'B27',
    S,
    'different content under the same (kind, name) is a conflict unless replace is given',
    async ({ client }) => {
      await client.register({ kind: 'store', name: 'things', key: 'id' });
      const conflict = await client.register({ kind: 'store', name: 'things', key: 'uuid' });
      assert.deepEqual([conflict.status, conflict.error_code], ['conflict', 'ERR_CONFLICT']);
      assert.equal((await client.ok('descriptor_snapshot')).stores.things?.key, 'id');
      const replaced = await client.register({ kind: 'store', name: 'things', key: 'uuid' }, true);
      assert.equal(replaced.status, 'accepted');
      assert.equal((await client.ok('descriptor_snapshot')).stores.things?.key, 'uuid');
    },
  ),
  check(
    'B28',
    S,
    'write and append receipts carry the fact id, hash and generated key',
    async ({ client }) => {
      const w = await client.write('tasks', 't1', { title: 'Alpha' });
      const a = await client.ok('append', { history: 'events', event: { type: 'x' }, key: 'mine' });
      const { facts } = await client.ok('replay', {});
      assert.deepEqual(
        facts.map((f) => [f.id, f.value_hash, f.key]),
        [
          [w.fact_id, w.value_hash, 't1'],
          [a.fact_id, a.value_hash, a.key],
        ],
      );
      assert.deepEqual([a.kind, a.status, a.store], ['append_receipt', 'accepted', 'events']);
      assert.notEqual(a.key, 'mine');
      assertMessage(a.warnings[0] ?? '', /ignored/);
    },
  ),
  check(
    'B29',
    S,
    'A, then B with replace, then A again is a conflict and B stays current (C-3)',
    async ({ client }) => {
      const a = { kind: 'store', name: 'things', key: 'id' };
      const b = { kind: 'store', name: 'things', key: 'uuid' };
      await client.register(a);
      await client.register(b, true);
      const again = await client.register(a);
      assert.equal(again.status, 'conflict');
      assert.equal((await client.ok('descriptor_snapshot')).stores.things?.key, 'uuid');
    },
  ),
  check(
    'D5',
    S,
    'identity is (kind, name): equal names of different kinds coexist; defaults compare equal',
    async ({ client }) => {
      assert.equal((await client.register({ kind: 'store', name: 'tasks', key: 'id' })).status, 'accepted');
      assert.equal((await client.register({ kind: 'history', name: 'tasks', key: 'id' })).status, 'accepted');
      const relation = {
        kind: 'relation',
        name: 'r',
        from: { store: 'a', key: 'id' },
        to: { store: 'b', field: 'a_id' },
      };
      await client.register(relation);
      assert.equal((await client.register({ ...relation, cardinality: 'many' })).status, 'unchanged');
    },
  ),
];
