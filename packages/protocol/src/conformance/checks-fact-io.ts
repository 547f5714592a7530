import assert from 'node:assert/strict';
import { assertMessage, type WireClient } from './client.js';
import { check } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.2';

async function projectTasks(client: WireClient): Promise<void> {
  await client.register({
    kind: 'relation',
    name: 'project_tasks',
    from: { store: 'projects', key: 'id' },
    to: { store: 'tasks', field: 'project_id' },
  });
  await client.write('tasks', 't1', { project_id: 'p1', title: 'Alpha' });
  await client.write('tasks', 't2', { project_id: 'p1', title: 'Beta' });
  await client.write('tasks', 't3', { project_id: 'p2', title: 'Gamma' });
}

/** §5.2 Fact IO, query, resolve and provenance. */
export const factIoChecks: readonly ConformanceCheck[] = [
  check('B30', S, 'a write stores its producer, null when none is given', async ({ client }) => {
    await client.write('x', 'plain', { n: 1 });
    await client.ok('write', {
      store: 'x',
      key: 'made',
      value: { n: 2 },
      producer: { system: 'demo_dsl', name: 'TaskFlow' },
    });
    const { facts } = await client.ok('replay', { filter: { store: 'x' } });
    assert.deepEqual(
      facts.map((f) => f.producer),
      [null, { system: 'demo_dsl', name: 'TaskFlow' }],
    );
  }),
  check('B31', S, 'an append with partition_key is replayed by its partition', async ({ client }) => {
    const r = await client.ok('append', {
      history: 'contractable_events',
      event: { event_id: 'evt_1', observation_id: 'obs_1' },
      partition_key: 'observation_id',
      producer: { system: 'spec' },
    });
    assert.deepEqual([r.kind, r.status, r.store], ['append_receipt', 'accepted', 'contractable_events']);
    assert.ok(r.key && r.fact_id && r.value_hash);
    const { facts } = await client.ok('replay', {
      filter: { store: 'contractable_events', partition_key: 'observation_id', partition_value: 'obs_1' },
    });
    assert.deepEqual(
      facts.map((f) => [f.key, f.value, f.producer]),
      [[r.key, { event_id: 'evt_1', observation_id: 'obs_1' }, { system: 'spec' }]],
    );
  }),
  check('B32', S, 'write_fact stores valid_time, producer and derivation', async ({ client }) => {
    const producer = { system: 'external_client', version: '1' };
    const derivation = { name: 'seed_task', source_fact_ids: ['source-1'] };
    const r = await client.ok('write_fact', {
      kind: 'fact',
      store: 'tasks',
      key: 't1',
      value: { title: 'Alpha' },
      valid_time: 1714200123500,
      producer,
      derivation,
    });
    assert.deepEqual([r.status, r.store, r.key], ['accepted', 'tasks', 't1']);
    const [fact] = (await client.ok('replay', { filter: { store: 'tasks', key: 't1' } })).facts;
    assert.deepEqual(
      [fact?.id, fact?.valid_time, fact?.producer, fact?.derivation],
      [r.fact_id, 1714200123500, producer, derivation],
    );
  }),
  check('B33', S, 'a fact written by write_fact is read back', async ({ client }) => {
    await client.ok('write_fact', { kind: 'fact', store: 'tasks', key: 't1', value: { status: 'open' } });
    assert.deepEqual(await client.ok('read', { store: 'tasks', key: 't1' }), {
      value: { status: 'open' },
      found: true,
    });
  }),
  check(
    'B34',
    S,
    'write_fact rejects a wrong kind or missing fields; a false value is a value',
    async ({ client }) => {
      const wrongKind = await client.ok('write_fact', {
        kind: 'store',
        store: 'tasks',
        key: 't1',
        value: {},
      });
      assert.deepEqual([wrongKind.status, wrongKind.error_code], ['rejected', 'ERR_BAD_REQUEST']);
      assertMessage(wrongKind.errors[0] ?? '', /kind/);
      const noStore = await client.ok('write_fact', { kind: 'fact', key: 't1', value: {} });
      assertMessage(noStore.errors[0] ?? '', /store/);
      const noValue = await client.ok('write_fact', { kind: 'fact', store: 'tasks', key: 't1' });
      assert.deepEqual([noStore.status, noValue.status], ['rejected', 'rejected']);
      const falseValue = await client.ok('write_fact', {
        kind: 'fact',
        store: 'flags',
        key: 'f',
        value: false,
      });
      assert.equal(falseValue.status, 'accepted');
    },
  ),
  check('B35', S, 'two writes of a key chain by causation', async ({ client }) => {
    await client.ok('write_fact', { kind: 'fact', store: 'tasks', key: 't1', value: { v: 1 } });
    await client.ok('write_fact', { kind: 'fact', store: 'tasks', key: 't1', value: { v: 2 } });
    const { chain, count } = await client.ok('causation_chain', { store: 'tasks', key: 't1' });
    assert.equal(count, 2);
    assert.equal(chain[1]?.causation, chain[0]?.id);
    assert.equal(chain[0]?.causation, null);
  }),
  check('B36', S, 'query filters the latest values by field equality', async ({ client }) => {
    await client.write('tasks', 't1', { id: 't1', status: 'pending' });
    await client.write('tasks', 't2', { id: 't2', status: 'open' });
    await client.write('tasks', 't3', { id: 't3', status: 'pending' });
    const pending = await client.ok('query', { store: 'tasks', where: { status: 'pending' } });
    assert.deepEqual(
      pending.items.map((i) => i.key),
      ['t1', 't3'],
    );
    const open = await client.ok('query', { store: 'tasks', where: { status: 'open' } });
    assert.deepEqual(open.items, [{ key: 't2', value: { id: 't2', status: 'open' } }]);
    assert.equal((await client.ok('query', { store: 'tasks' })).count, 3);
  }),
  check('B37', S, 'resolve returns the related values of a partition', async ({ client }) => {
    await projectTasks(client);
    const p1 = await client.ok('resolve', { relation: 'project_tasks', from: 'p1' });
    assert.deepEqual(
      p1.items.map((i) => [i.key, (i.value as { title: string }).title]),
      [
        ['t1', 'Alpha'],
        ['t2', 'Beta'],
      ],
    );
    assert.equal((await client.ok('resolve', { relation: 'project_tasks', from: 'p2' })).count, 1);
  }),
  check(
    'D7-resolve',
    S,
    'resolve drops a key whose value no longer carries the partition',
    async ({ client }) => {
      await projectTasks(client);
      await client.write('tasks', 't1', { project_id: 'p2', title: 'Alpha' });
      const p1 = await client.ok('resolve', { relation: 'project_tasks', from: 'p1' });
      assert.deepEqual(
        p1.items.map((i) => i.key),
        ['t2'],
      );
    },
  ),
  check(
    'B38',
    S,
    'keys are strings: a number key is a bad request, never a second key (C-9)',
    async ({ client }) => {
      const error = await client.error('write', { store: 'tasks', key: 1, value: {} });
      assert.equal(error.error_code, 'ERR_BAD_REQUEST');
      const receipt = await client.ok('write_fact', { kind: 'fact', store: 'tasks', key: 1, value: {} });
      assert.equal(receipt.status, 'rejected');
      assert.equal((await client.ok('replay', {})).count, 0);
    },
  ),
];
