import assert from 'node:assert/strict';
import { assertMessage } from './client.js';
import { check, SHA256_HEX } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.1';

/** §5.1 Registration of the data kinds: store, history, access path, relation, projection (C-7 fixed). */
export const dataKindChecks: readonly ConformanceCheck[] = [
  check('B1', S, 'a descriptor without kind is rejected naming kind', async ({ client }) => {
    const r = await client.register({ schema_version: 1, name: 'x' });
    assert.equal(r.status, 'rejected');
    assert.equal(r.kind, null);
    assert.equal(r.error_code, 'ERR_INVALID_ARGUMENT');
    assertMessage(r.errors[0] ?? '', /kind/);
  }),
  check('B2', S, 'an unknown kind is rejected naming it', async ({ client }) => {
    const r = await client.register({ kind: 'wormhole', name: 'x' });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /wormhole/);
  }),
  check(
    'B3',
    S,
    'a store descriptor is accepted with empty warnings, errors and derived',
    async ({ client }) => {
      const r = await client.register({
        kind: 'store',
        name: 'tasks',
        key: 'id',
        fields: ['id', 'title'],
        producer: { system: 'spec' },
      });
      assert.equal(r.status, 'accepted');
      assert.equal(r.kind, 'store');
      assert.equal(r.name, 'tasks');
      assert.deepEqual([r.warnings, r.errors, r.derived], [[], [], []]);
      assert.equal(typeof r.fact_id, 'string');
      assert.match(r.value_hash ?? '', SHA256_HEX);
    },
  ),
  check('B4', S, 'a store descriptor without name or without key is rejected', async ({ client }) => {
    const noName = await client.register({ kind: 'store', key: 'id' });
    assert.equal(noName.status, 'rejected');
    assertMessage(noName.errors[0] ?? '', /name/);
    const noKey = await client.register({ kind: 'store', name: 'tasks' });
    assert.equal(noKey.status, 'rejected');
    assert.equal(noKey.name, 'tasks');
    assertMessage(noKey.errors[0] ?? '', /key/);
  }),
  check('B5', S, 'descriptor_snapshot lists a store with every submitted field', async ({ client }) => {
    await client.register({
      kind: 'store',
      name: 'orders',
      key: 'id',
      fields: ['id', 'total'],
      schema_version: 1,
    });
    const snapshot = await client.ok('descriptor_snapshot');
    assert.deepEqual(snapshot.stores.orders, {
      kind: 'store',
      name: 'orders',
      key: 'id',
      fields: ['id', 'total'],
    });
  }),
  check('B6', S, 'a history descriptor is accepted and listed under histories', async ({ client }) => {
    const r = await client.register({
      kind: 'history',
      name: 'task_events',
      key: 'task_id',
      event_field: 'type',
      timestamp_field: 'at',
    });
    assert.deepEqual([r.status, r.name], ['accepted', 'task_events']);
    await client.register({ kind: 'history', name: 'order_events', key: 'order_id' });
    const snapshot = await client.ok('descriptor_snapshot');
    assert.deepEqual(Object.keys(snapshot.histories), ['task_events', 'order_events']);
  }),
  check('B7', S, 'an access path with unique: false is accepted with a warning', async ({ client }) => {
    const r = await client.register({
      kind: 'access_path',
      name: 'tasks_by_status',
      store: 'tasks',
      fields: ['status'],
      unique: false,
    });
    assert.deepEqual([r.status, r.name], ['accepted', 'tasks_by_status']);
    assert.equal(r.warnings.length, 1);
    assertMessage(r.warnings[0] ?? '', /unique/);
  }),
  check('B8', S, 'an access path without store is rejected', async ({ client }) => {
    const r = await client.register({ kind: 'access_path', name: 'orphans', fields: ['status'] });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /store/);
  }),
  check(
    'B9',
    S,
    'an access path registers a real engine path, keeping fields and unique (C-7)',
    async ({ client }) => {
      await client.register({
        kind: 'access_path',
        name: 'widgets_by_color',
        store: 'widgets',
        fields: ['color'],
      });
      const meta = await client.ok('metadata_snapshot');
      assert.deepEqual(
        meta.access_paths.widgets?.map((p) => p.scope),
        ['widgets_by_color'],
      );
      const snapshot = await client.ok('descriptor_snapshot');
      assert.deepEqual(snapshot.access_paths.widgets_by_color, {
        kind: 'access_path',
        name: 'widgets_by_color',
        store: 'widgets',
        fields: ['color'],
        unique: true,
        filters: {},
      });
    },
  ),
  check('B10', S, 'a relation descriptor is accepted', async ({ client }) => {
    const r = await client.register({
      kind: 'relation',
      name: 'project_tasks',
      from: { store: 'projects', key: 'id' },
      to: { store: 'tasks', field: 'project_id' },
      cardinality: 'many',
    });
    assert.deepEqual([r.status, r.name, r.warnings], ['accepted', 'project_tasks', []]);
  }),
  check(
    'B11',
    S,
    'a relation whose from lacks key or whose to lacks field is rejected',
    async ({ client }) => {
      const noKey = await client.register({
        kind: 'relation',
        name: 'r1',
        from: { store: 'a' },
        to: { store: 'b', field: 'a_id' },
      });
      assert.deepEqual([noKey.status, noKey.name], ['rejected', 'r1']);
      assertMessage(noKey.errors[0] ?? '', /from/);
      const noField = await client.register({
        kind: 'relation',
        name: 'r2',
        from: { store: 'a', key: 'id' },
        to: { store: 'b' },
      });
      assert.equal(noField.status, 'rejected');
      assertMessage(noField.errors[0] ?? '', /to/);
    },
  ),
  check(
    'B12',
    S,
    'cardinality "one" warns (compared as a string); an unknown cardinality is rejected',
    async ({ client }) => {
      const base = { kind: 'relation', from: { store: 'a', key: 'id' }, to: { store: 'b', field: 'a_id' } };
      const one = await client.register({ ...base, name: 'one', cardinality: 'one' });
      assert.equal(one.status, 'accepted');
      assert.equal(one.warnings.length, 1);
      assertMessage(one.warnings[0] ?? '', /cardinality/);
      const odd = await client.register({ ...base, name: 'odd', cardinality: 'several' });
      assert.equal(odd.status, 'rejected');
      assertMessage(odd.errors[0] ?? '', /cardinality/);
    },
  ),
  check('B13', S, 'a relation runs as an engine relation with its index store', async ({ client }) => {
    await client.register({
      kind: 'relation',
      name: 'warehouse_widgets',
      from: { store: 'warehouses', key: 'id' },
      to: { store: 'widgets', field: 'warehouse_id' },
    });
    const meta = await client.ok('metadata_snapshot');
    assert.deepEqual(meta.relations.warehouse_widgets, {
      name: 'warehouse_widgets',
      source: 'widgets',
      partition: 'warehouse_id',
      target: 'warehouses',
      index_store: '__rel_warehouse_widgets',
    });
  }),
  check(
    'B14',
    S,
    'a projection with source is accepted and keeps group_by and compute (C-7)',
    async ({ client }) => {
      const d = {
        kind: 'projection',
        name: 'open_task_counts',
        source: 'tasks',
        group_by: ['status'],
        compute: { count: 'count' },
      };
      const r = await client.register(d);
      assert.deepEqual([r.status, r.name], ['accepted', 'open_task_counts']);
      const snapshot = await client.ok('descriptor_snapshot');
      assert.deepEqual(snapshot.projections.open_task_counts, {
        ...d,
        reads: ['tasks'],
        relations: [],
        consumer_hint: 'protocol_client',
        reactive: false,
      });
    },
  ),
  check(
    'B15',
    S,
    'a projection is listed with reads, relations, hint, reactive and counts',
    async ({ client }) => {
      await client.register({
        kind: 'projection',
        name: 'tracker_dashboard',
        reads: ['trackers', 'tracker_logs'],
        relations: ['logs_by_tracker'],
        consumer_hint: 'contract_node',
        reactive: true,
      });
      const meta = await client.ok('metadata_snapshot');
      assert.deepEqual(meta.projections.tracker_dashboard, {
        name: 'tracker_dashboard',
        reads: ['trackers', 'tracker_logs'],
        relations: ['logs_by_tracker'],
        consumer_hint: 'contract_node',
        reactive: true,
        store_count: 2,
        relation_count: 1,
      });
    },
  ),
  check(
    'B16',
    S,
    'mode "materialized" makes a projection reactive unless reactive says otherwise',
    async ({ client }) => {
      await client.register({ kind: 'projection', name: 'p1', reads: ['a'], mode: 'materialized' });
      await client.register({
        kind: 'projection',
        name: 'p2',
        reads: ['a'],
        mode: 'materialized',
        reactive: false,
      });
      const meta = await client.ok('metadata_snapshot');
      assert.deepEqual([meta.projections.p1?.reactive, meta.projections.p2?.reactive], [true, false]);
    },
  ),
  check('B17', S, 'a projection with neither reads nor source is rejected', async ({ client }) => {
    const r = await client.register({ kind: 'projection', name: 'empty' });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /reads or source/);
  }),
];
