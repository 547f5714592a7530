import assert from 'node:assert/strict';
import { assertMessage } from './client.js';
import { check, SHA256_HEX } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.3';
const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

/** §5.3 The wire envelope, with coded errors (D6) and every write field kept (C-4). */
export const envelopeChecks: readonly ConformanceCheck[] = [
  check(
    'B40',
    S,
    'a request is answered with protocol, schema_version, its request_id and a result',
    async ({ client }) => {
      const response = await client.send({ ...ENVELOPE, request_id: 'req_abc', op: 'metadata_snapshot' });
      assert.deepEqual([response.status, response.request_id], ['ok', 'req_abc']);
      assert.ok(response.status === 'ok' && 'result' in response);
    },
  ),
  check(
    'B41',
    S,
    'an unknown op is ERR_UNKNOWN_OP naming it, with the request_id echoed',
    async ({ client }) => {
      const response = await client.send({ ...ENVELOPE, request_id: 'req_xyz', op: 'unknown_op' });
      assert.ok(response.status === 'error');
      assert.deepEqual([response.error_code, response.request_id], ['ERR_UNKNOWN_OP', 'req_xyz']);
      assertMessage(response.error, /unknown_op/);
    },
  ),
  check(
    'B42',
    S,
    'another protocol is ERR_UNSUPPORTED_PROTOCOL, with the request_id echoed',
    async ({ client }) => {
      const response = await client.send({
        ...ENVELOPE,
        protocol: 'other_protocol',
        request_id: 'req_111',
        op: 'describe',
      });
      assert.ok(response.status === 'error');
      assert.deepEqual([response.error_code, response.request_id], ['ERR_UNSUPPORTED_PROTOCOL', 'req_111']);
      assertMessage(response.error, /protocol/i);
    },
  ),
  check('B43', S, 'a missing op and an unknown op are ERR_UNKNOWN_OP', async ({ client }) => {
    const missing = await client.send({ ...ENVELOPE });
    assert.ok(missing.status === 'error');
    assert.equal(missing.error_code, 'ERR_UNKNOWN_OP');
    assertMessage(missing.error, /op/i);
    const teleport = await client.error('teleport');
    assert.equal(teleport.error_code, 'ERR_UNKNOWN_OP');
    assertMessage(teleport.error, /teleport/);
  }),
  check(
    'B44',
    S,
    'an invalid descriptor is an ok response carrying a rejected receipt',
    async ({ client }) => {
      const receipt = await client.ok('register_descriptor', { kind: 'store' });
      assert.equal(receipt.status, 'rejected');
      assertMessage(receipt.errors[0] ?? '', /name, key/);
    },
  ),
  check(
    'B45',
    S,
    'commands and effects registered over the wire show in the metadata snapshot',
    async ({ client }) => {
      const c = await client.register({
        kind: 'command',
        name: 'complete',
        owner: 'reminders',
        operation: 'record_update',
      });
      const e = await client.register({
        kind: 'effect',
        name: 'close',
        owner: 'reminders',
        store_op: 'store_write',
        write_kind: 'update',
      });
      assert.deepEqual([c.status, e.status], ['accepted', 'accepted']);
      const meta = await client.ok('metadata_snapshot');
      assert.equal(meta.commands.reminders?.complete?.operation, 'record_update');
      assert.equal(meta.effects.reminders?.close?.lowers_to, 'store_t');
    },
  ),
  check(
    'B46',
    S,
    'write answers an accepted receipt; without store it is ERR_BAD_REQUEST',
    async ({ client }) => {
      const receipt = await client.ok('write', { store: 'tasks', key: 't1', value: { title: 'Alpha' } });
      assert.deepEqual(
        [receipt.kind, receipt.status, receipt.store, receipt.key],
        ['receipt', 'accepted', 'tasks', 't1'],
      );
      assert.match(receipt.value_hash ?? '', SHA256_HEX);
      const error = await client.error('write', { key: 't1', value: {} });
      assert.equal(error.error_code, 'ERR_BAD_REQUEST');
      assertMessage(error.error, /store/);
    },
  ),
  check(
    'B47',
    S,
    'append ignores a client key with a warning and is replayed; without history it is ERR_BAD_REQUEST',
    async ({ client }) => {
      const receipt = await client.ok('append', {
        history: 'contractable_events',
        event: { event_id: 'evt_1' },
        key: 'client-key-1',
        partition_key: 'event_id',
        producer: { system: 'spec' },
      });
      assert.deepEqual([receipt.kind, receipt.store], ['append_receipt', 'contractable_events']);
      assert.notEqual(receipt.key, 'client-key-1');
      assertMessage(receipt.warnings[0] ?? '', /ignored/);
      const replay = await client.ok('replay', { filter: { store: 'contractable_events' } });
      assert.deepEqual(
        [replay.count, replay.facts[0]?.value, replay.facts[0]?.producer],
        [1, { event_id: 'evt_1' }, { system: 'spec' }],
      );
      assert.equal((await client.error('append', { event: {} })).error_code, 'ERR_BAD_REQUEST');
    },
  ),
  check(
    'B48',
    S,
    'write_fact with the wrong kind is an ok response with a rejected receipt',
    async ({ client }) => {
      const receipt = await client.ok('write_fact', { kind: 'store', store: 'tasks', key: 't1', value: {} });
      assert.equal(receipt.status, 'rejected');
    },
  ),
  check(
    'B49',
    S,
    'read answers found and missing keys; without store it is ERR_BAD_REQUEST',
    async ({ client }) => {
      await client.write('tasks', 't1', { status: 'open' });
      assert.deepEqual(await client.ok('read', { store: 'tasks', key: 't1' }), {
        value: { status: 'open' },
        found: true,
      });
      assert.deepEqual(await client.ok('read', { store: 'tasks', key: 'missing' }), {
        value: null,
        found: false,
      });
      assert.equal((await client.error('read', { key: 't1' })).error_code, 'ERR_BAD_REQUEST');
    },
  ),
  check(
    'V1-strict',
    S,
    "a packet field the op does not know is ERR_BAD_REQUEST naming it (a Ruby client's replay { from, to })",
    async ({ client }) => {
      await client.write('tasks', 't1', { status: 'open' });
      const replay = await client.error('replay', { from: 0, to: 10 });
      assert.deepEqual([replay.error_code, replay.error], ['ERR_BAD_REQUEST', 'replay: unknown field: from']);
      const read = await client.error('read', { store: 'tasks', key: 't1', asof: 5 });
      assert.deepEqual([read.error_code, read.error], ['ERR_BAD_REQUEST', 'read: unknown field: asof']);
      assert.equal((await client.error('describe', { verbose: true })).error_code, 'ERR_BAD_REQUEST');
    },
  ),
  check(
    'B50',
    S,
    'query answers items (also as results), count and has_more; without store it is ERR_BAD_REQUEST',
    async ({ client }) => {
      await client.write('tasks', 't1', { status: 'open' });
      await client.write('tasks', 't2', { status: 'done' });
      await client.write('tasks', 't3', { status: 'open' });
      const open = await client.ok('query', { store: 'tasks', where: { status: 'open' }, order: 'status' });
      const items = [
        { key: 't1', value: { status: 'open' } },
        { key: 't3', value: { status: 'open' } },
      ];
      assert.deepEqual(open, { items, results: items, count: 2, has_more: false, next_cursor: null });
      assert.equal((await client.ok('query', { store: 'tasks' })).count, 3);
      assert.equal((await client.error('query', {})).error_code, 'ERR_BAD_REQUEST');
    },
  ),
  check(
    'B51',
    S,
    'resolve answers keyed items (also as results); an unknown partition value gives none',
    async ({ client }) => {
      await client.register({
        kind: 'relation',
        name: 'project_tasks',
        from: { store: 'projects', key: 'id' },
        to: { store: 'tasks', field: 'project_id' },
      });
      await client.write('tasks', 't1', { project_id: 'p1', title: 'Alpha' });
      await client.write('tasks', 't2', { project_id: 'p1', title: 'Beta' });
      const p1 = await client.ok('resolve', { relation: 'project_tasks', from: 'p1' });
      assert.deepEqual([p1.count, p1.items.map((i) => i.key)], [2, ['t1', 't2']]);
      assert.deepEqual(p1.results, p1.items);
      assert.deepEqual(await client.ok('resolve', { relation: 'project_tasks', from: 'p99' }), {
        items: [],
        results: [],
        count: 0,
        has_more: false,
      });
      assert.equal(
        (await client.error('resolve', { relation: 'nope', from: 'p1' })).error_code,
        'ERR_NO_RELATION',
      );
    },
  ),
  check('B52', S, 'causation_chain and lineage answer over the wire', async ({ client }) => {
    await client.write('tasks', 't1', { v: 1 });
    await client.write('tasks', 't1', { v: 2 });
    const chain = await client.ok('causation_chain', { store: 'tasks', key: 't1' });
    assert.equal(chain.count, 2);
    assert.equal(typeof chain.chain.at(-1)?.causation, 'string');
    await client.write('notes', 'n1', { v: 1 });
    const lineage = await client.ok('lineage', { store: 'notes', key: 'n1' });
    assert.deepEqual([lineage.subject, lineage.depth], [{ store: 'notes', key: 'n1' }, 1]);
    assert.match(lineage.proof_hash ?? '', SHA256_HEX);
  }),
  check('B53', S, 'fact_ref answers a reference without the value', async ({ client }) => {
    const { fact_id: id } = await client.write('tasks', 't1', { secret: 'x' });
    const found = await client.ok('fact_ref', { fact_id: id ?? '' });
    assert.equal(found.found, true);
    assert.deepEqual([found.ref?.id, found.ref?.store, found.ref?.key], [id, 'tasks', 't1']);
    assert.ok(found.ref && !('value' in found.ref));
    assert.deepEqual(await client.ok('fact_ref', { fact_id: 'no-such-id' }), { found: false, ref: null });
  }),
  check(
    'B54',
    S,
    'storage_stats answers null or versioned statistics, filtered by store',
    async ({ client }) => {
      await client.write('readings', 'r1', { v: 1 });
      await client.write('signals', 's1', { v: 1 });
      const all = await client.ok('storage_stats', {});
      if (all === null) return;
      assert.equal(all.schema_version, 1);
      const one = await client.ok('storage_stats', { store: 'readings' });
      assert.deepEqual(Object.keys(one?.stores ?? {}), ['readings']);
    },
  ),
  check(
    'B55',
    S,
    'metadata_snapshot has storage exactly when storage_stats is not null',
    async ({ client }) => {
      const stats = await client.ok('storage_stats', {});
      const meta = await client.ok('metadata_snapshot');
      assert.equal('storage' in meta, stats !== null);
    },
  ),
  check('B56', S, 'each response echoes its own request_id, in order; absent is null', async ({ client }) => {
    for (const id of ['req_aaa', 'req_bbb', 7]) {
      assert.equal((await client.send({ ...ENVELOPE, request_id: id, op: 'describe' })).request_id, id);
    }
    assert.equal((await client.send({ ...ENVELOPE, op: 'describe' })).request_id, null);
  }),
  check('B57', S, 'a null relation is ERR_BAD_REQUEST without internals', async ({ client }) => {
    const error = await client.error('resolve', { relation: null, from: 'x' });
    assert.equal(error.error_code, 'ERR_BAD_REQUEST');
    assertMessage(error.error, /relation/);
  }),
  check('B58', S, 'an unsupported schema_version is ERR_UNSUPPORTED_PROTOCOL (C-11)', async ({ client }) => {
    const response = await client.send({ protocol: 'igniter_store', schema_version: 99, op: 'describe' });
    assert.ok(response.status === 'error');
    assert.equal(response.error_code, 'ERR_UNSUPPORTED_PROTOCOL');
  }),
  check('B59', S, 'write keeps valid_time, causation and derivation (C-4)', async ({ client }) => {
    await client.ok('write', {
      store: 'tasks',
      key: 't1',
      value: {},
      valid_time: 123,
      causation: 'zzz',
      derivation: { rule: 'r' },
    });
    const [fact] = (await client.ok('replay', { filter: { store: 'tasks' } })).facts;
    assert.deepEqual([fact?.valid_time, fact?.causation, fact?.derivation], [123, 'zzz', { rule: 'r' }]);
    const unknown = await client.error('write', { store: 'tasks', key: 't1', value: {}, term: 5 });
    assert.equal(unknown.error_code, 'ERR_BAD_REQUEST');
    assertMessage(unknown.error, /term/);
  }),
  check(
    'D6',
    S,
    'a failed expect is a conflict receipt with ERR_CONFLICT and the actual seq',
    async ({ client }) => {
      const first = await client.write('tasks', 't1', { v: 1 });
      const stale = await client.ok('write', {
        store: 'tasks',
        key: 't1',
        value: { v: 2 },
        expect: { absent: true },
      });
      assert.deepEqual([stale.kind, stale.status, stale.error_code], ['receipt', 'conflict', 'ERR_CONFLICT']);
      assert.deepEqual(stale.error_details, {
        store: 'tasks',
        key: 't1',
        expected: { absent: true },
        actual_seq: first.seq ?? null,
      });
      const fresh = await client.ok('write', {
        store: 'tasks',
        key: 't1',
        value: { v: 2 },
        expect: { seq: first.seq ?? 0 },
      });
      assert.equal(fresh.status, 'accepted');
    },
  ),
  check(
    'D3',
    S,
    'an idempotency_key makes a retried write or append unchanged, and another value a conflict',
    async ({ client }) => {
      const packet = { history: 'payments', event: { amount: 5 }, idempotency_key: 'pay-1' };
      const first = await client.ok('append', packet);
      const retry = await client.ok('append', packet);
      assert.deepEqual([first.status, retry.status, retry.fact_id], ['accepted', 'unchanged', first.fact_id]);
      const other = await client.ok('append', { ...packet, event: { amount: 6 } });
      assert.deepEqual([other.status, other.error_code], ['conflict', 'ERR_CONFLICT']);
      assert.equal((await client.ok('replay', { filter: { store: 'payments' } })).count, 1);
    },
  ),
];
