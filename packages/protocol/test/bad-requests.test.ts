import type { IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch, type ErrorResponse, Interpreter } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

function op(name: unknown, packet?: unknown): Record<string, unknown> {
  return { ...ENVELOPE, request_id: 'bad-1', op: name, packet };
}

/** [what, request, exact error_code] */
const ENVELOPES: Array<[string, unknown, string]> = [
  ['a string request', 'describe', 'ERR_BAD_REQUEST'],
  ['a null request', null, 'ERR_BAD_REQUEST'],
  ['an array request', [ENVELOPE], 'ERR_BAD_REQUEST'],
  ['a number request', 42, 'ERR_BAD_REQUEST'],
  ['a missing protocol', { schema_version: 1, op: 'describe' }, 'ERR_UNSUPPORTED_PROTOCOL'],
  ['another protocol', { ...ENVELOPE, protocol: 'other', op: 'describe' }, 'ERR_UNSUPPORTED_PROTOCOL'],
  ['a protocol of the wrong type', { ...ENVELOPE, protocol: 7, op: 'describe' }, 'ERR_UNSUPPORTED_PROTOCOL'],
  ['a missing schema_version', { protocol: 'igniter_store', op: 'describe' }, 'ERR_UNSUPPORTED_PROTOCOL'],
  [
    'schema_version as a string',
    { ...ENVELOPE, schema_version: '1', op: 'describe' },
    'ERR_UNSUPPORTED_PROTOCOL',
  ],
  ['schema_version 2', { ...ENVELOPE, schema_version: 2, op: 'describe' }, 'ERR_UNSUPPORTED_PROTOCOL'],
  ['a missing op', { ...ENVELOPE }, 'ERR_UNKNOWN_OP'],
  ['a null op', op(null), 'ERR_UNKNOWN_OP'],
  ['an op of the wrong type', op(3), 'ERR_BAD_REQUEST'],
  ['an unknown op', op('teleport'), 'ERR_UNKNOWN_OP'],
  ['an op named like an Object method', op('toString'), 'ERR_UNKNOWN_OP'],
  ['an op named __proto__', op('__proto__'), 'ERR_UNKNOWN_OP'],
  ['a legacy op that is not ported', op('write_snapshot'), 'ERR_UNKNOWN_OP'],
  ['an array packet', op('describe', []), 'ERR_BAD_REQUEST'],
  ['a string packet', op('read', 'tasks/t1'), 'ERR_BAD_REQUEST'],
  ['a request_id object', { ...ENVELOPE, request_id: { id: 1 }, op: 'describe' }, 'ERR_BAD_REQUEST'],
  [
    'a request_id over 256 characters',
    { ...ENVELOPE, request_id: 'x'.repeat(257), op: 'describe' },
    'ERR_BAD_REQUEST',
  ],
];

const PACKETS: Array<[string, string, unknown, string]> = [
  ['write', 'without store', { key: 'k', value: 1 }, 'ERR_BAD_REQUEST'],
  ['write', 'with a numeric store', { store: 5, key: 'k', value: 1 }, 'ERR_BAD_REQUEST'],
  ['write', 'with a numeric key', { store: 's', key: 1, value: 1 }, 'ERR_BAD_REQUEST'],
  ['write', 'without value', { store: 's', key: 'k' }, 'ERR_BAD_REQUEST'],
  ['write', 'with a string producer', { store: 's', key: 'k', value: 1, producer: 'me' }, 'ERR_BAD_REQUEST'],
  [
    'write',
    'with a string valid_time',
    { store: 's', key: 'k', value: 1, valid_time: 'today' },
    'ERR_BAD_REQUEST',
  ],
  [
    'write',
    'with a fractional schema_version',
    { store: 's', key: 'k', value: 1, schema_version: 1.5 },
    'ERR_BAD_REQUEST',
  ],
  ['write', 'with a numeric causation', { store: 's', key: 'k', value: 1, causation: 5 }, 'ERR_BAD_REQUEST'],
  ['write', 'with a string expect', { store: 's', key: 'k', value: 1, expect: 'absent' }, 'ERR_BAD_REQUEST'],
  ['write', 'with an unknown field', { store: 's', key: 'k', value: 1, term: 3 }, 'ERR_BAD_REQUEST'],
  ['append', 'with an array event', { history: 'h', event: [] }, 'ERR_BAD_REQUEST'],
  ['append', 'without event', { history: 'h' }, 'ERR_BAD_REQUEST'],
  ['append', 'with a numeric history', { history: 1, event: {} }, 'ERR_BAD_REQUEST'],
  [
    'append',
    'with a numeric partition_key',
    { history: 'h', event: {}, partition_key: 5 },
    'ERR_BAD_REQUEST',
  ],
  ['read', 'without key', { store: 's' }, 'ERR_BAD_REQUEST'],
  ['read', 'with a string as_of', { store: 's', key: 'k', as_of: 'yesterday' }, 'ERR_BAD_REQUEST'],
  ['read', 'with an empty store', { store: '', key: 'k' }, 'ERR_INVALID_ARGUMENT'],
  ['query', 'with an array where', { store: 's', where: [] }, 'ERR_BAD_REQUEST'],
  ['query', 'with a numeric order', { store: 's', order: 5 }, 'ERR_BAD_REQUEST'],
  [
    'query',
    'with an order field that is not a string',
    { store: 's', order: { field: 1 } },
    'ERR_BAD_REQUEST',
  ],
  ['query', 'with a string limit', { store: 's', limit: '10' }, 'ERR_BAD_REQUEST'],
  ['query', 'with a fractional limit', { store: 's', limit: 1.5 }, 'ERR_BAD_REQUEST'],
  ['query', 'with a limit over the maximum', { store: 's', limit: 10_001 }, 'ERR_INVALID_ARGUMENT'],
  ['query', 'with a negative limit', { store: 's', limit: -1 }, 'ERR_INVALID_ARGUMENT'],
  [
    'query',
    'with an unknown direction',
    { store: 's', order: { field: 'x', direction: 'up' } },
    'ERR_INVALID_ARGUMENT',
  ],
  ['resolve', 'without relation', { from: 'p1' }, 'ERR_BAD_REQUEST'],
  ['resolve', 'without from', { relation: 'r' }, 'ERR_BAD_REQUEST'],
  [
    'resolve',
    'with a limit over the maximum',
    { relation: 'r', from: 'p', limit: 10_001 },
    'ERR_INVALID_ARGUMENT',
  ],
  ['resolve', 'of an unknown relation', { relation: 'r', from: 'p' }, 'ERR_NO_RELATION'],
  ['replay', 'with a string cursor', { after: '3' }, 'ERR_BAD_REQUEST'],
  ['replay', 'with a fractional cursor', { after: 1.5 }, 'ERR_BAD_REQUEST'],
  ['replay', 'with an array filter', { filter: [] }, 'ERR_BAD_REQUEST'],
  ['replay', 'with a numeric filter store', { filter: { store: 5 } }, 'ERR_BAD_REQUEST'],
  ['replay', 'with an unknown filter field', { filter: { store: 's', shard: 1 } }, 'ERR_BAD_REQUEST'],
  ['replay', 'with a negative cursor', { after: -1 }, 'ERR_INVALID_ARGUMENT'],
  ['replay', 'with a limit over the maximum', { limit: 10_001 }, 'ERR_INVALID_ARGUMENT'],
  [
    'replay',
    'with a partition key and no value',
    { filter: { store: 's', partition_key: 'p' } },
    'ERR_INVALID_ARGUMENT',
  ],
  ['replay', 'with a key and no store', { filter: { key: 'k' } }, 'ERR_INVALID_ARGUMENT'],
  ['sync_hub_profile', 'with stores as a string', { stores: 'tasks' }, 'ERR_BAD_REQUEST'],
  ['sync_hub_profile', 'with a numeric store name', { stores: [1] }, 'ERR_BAD_REQUEST'],
  ['sync_hub_profile', 'with an empty store name', { stores: [''] }, 'ERR_INVALID_ARGUMENT'],
  ['sync_hub_profile', 'with a limit over the maximum', { limit: 10_001 }, 'ERR_INVALID_ARGUMENT'],
  ['causation_chain', 'without key', { store: 's' }, 'ERR_BAD_REQUEST'],
  [
    'causation_chain',
    'with a limit over the maximum',
    { store: 's', key: 'k', limit: 10_001 },
    'ERR_INVALID_ARGUMENT',
  ],
  ['lineage', 'with a numeric store', { store: 1, key: 'k' }, 'ERR_BAD_REQUEST'],
  [
    'lineage',
    'with a limit over the maximum',
    { store: 's', key: 'k', limit: 10_001 },
    'ERR_INVALID_ARGUMENT',
  ],
  ['fact_ref', 'without fact_id', {}, 'ERR_BAD_REQUEST'],
  ['fact_ref', 'with a numeric fact_id', { fact_id: 7 }, 'ERR_BAD_REQUEST'],
  ['compaction_activity', 'with a string since', { since: 'x' }, 'ERR_BAD_REQUEST'],
  ['compaction_activity', 'with a string limit', { limit: 'ten' }, 'ERR_BAD_REQUEST'],
  ['compaction_activity', 'with a numeric kind', { kind: 5 }, 'ERR_BAD_REQUEST'],
  ['compaction_activity', 'with an unknown kind', { kind: 'shredding' }, 'ERR_INVALID_ARGUMENT'],
  ['compaction_activity', 'with a limit over the maximum', { limit: 10_001 }, 'ERR_INVALID_ARGUMENT'],
  ['storage_stats', 'with a numeric store', { store: 5 }, 'ERR_BAD_REQUEST'],
  ['segment_manifest', 'with a numeric store', { store: 5 }, 'ERR_BAD_REQUEST'],
  ['rebuild', 'without name', {}, 'ERR_BAD_REQUEST'],
  ['rebuild', 'with a numeric into', { name: 'r', into: 5 }, 'ERR_BAD_REQUEST'],
  ['rebuild', 'with an unknown field', { name: 'r', onto: 'x' }, 'ERR_BAD_REQUEST'],
  ['rebuild', 'of an unknown rule', { name: 'r' }, 'ERR_INVALID_ARGUMENT'],
  ['resume_rule', 'without name', {}, 'ERR_BAD_REQUEST'],
  ['resume_rule', 'of an unknown rule', { name: 'r' }, 'ERR_INVALID_ARGUMENT'],
  [
    'register_descriptor',
    'with a string replace',
    { kind: 'store', name: 's', key: 'id', replace: 'yes' },
    'ERR_BAD_REQUEST',
  ],
];

function expectCodedError(response: unknown, code: string, requestId: unknown): void {
  const error = response as ErrorResponse;
  expect(
    Object.keys(error)
      .filter((k) => k !== 'error_details')
      .sort(),
  ).toEqual(['error', 'error_code', 'protocol', 'request_id', 'schema_version', 'status']);
  expect(error).toMatchObject({
    protocol: 'igniter_store',
    schema_version: 1,
    status: 'error',
    error_code: code,
    request_id: requestId,
  });
  expect(error.error).not.toMatch(/\n\s+at |node_modules|Internal error|TypeError|undefined/);
  expect(JSON.parse(JSON.stringify(error))).toEqual(error);
}

describe(`malformed requests answer coded errors, never exceptions (${ENGINE} engine)`, () => {
  let store: IgniterStore;
  beforeEach(() => {
    store = memoryStore();
  });
  afterEach(() => store.close());

  it.each(ENVELOPES)('%s is %s', async (_what, request, code) => {
    const id =
      typeof request === 'object' && request !== null && 'request_id' in request
        ? request.request_id
        : undefined;
    const echoed = typeof id === 'string' && id.length <= 256 ? id : null;
    expectCodedError(await dispatch(store, request), code, echoed);
  });

  it.each(PACKETS)('%s %s is %s', async (name, _what, packet, code) => {
    expectCodedError(await dispatch(store, op(name, packet)), code, 'bad-1');
  });

  it('writes nothing for any of them', async () => {
    for (const [name, , packet] of PACKETS) await dispatch(store, op(name, packet));
    expect(store.factCount()).toBe(0);
  });
});

describe(`failures that are not the request's fault (${ENGINE} engine)`, () => {
  it('a closed store is ERR_CLOSED', async () => {
    const store = memoryStore();
    await store.close();
    expectCodedError(await dispatch(store, op('read', { store: 's', key: 'k' })), 'ERR_CLOSED', 'bad-1');
  });

  it('a target that is neither a store nor an interpreter is ERR_INVALID_ARGUMENT', async () => {
    expectCodedError(await dispatch({} as IgniterStore, op('describe')), 'ERR_INVALID_ARGUMENT', 'bad-1');
  });

  it('a bug is ERR_INTERNAL with a fixed message; onInternalError receives the real error', async () => {
    const interpreter = new Interpreter(memoryStore());
    const bug = new TypeError('cannot read properties of undefined (reading "x") at /srv/app.js:1');
    vi.spyOn(interpreter, 'read').mockImplementation(() => {
      throw bug;
    });
    const seen: unknown[] = [];
    const response = await dispatch(interpreter, op('read', { store: 's', key: 'k' }), {
      onInternalError: (error, name) => seen.push(error, name),
    });
    expectCodedError(response, 'ERR_INTERNAL', 'bad-1');
    expect((response as ErrorResponse).error).toBe('internal error');
    expect(seen).toEqual([bug, 'read']);
  });

  it('a thrown non-error and a throwing logger still answer ERR_INTERNAL', async () => {
    const interpreter = new Interpreter(memoryStore());
    vi.spyOn(interpreter, 'describe').mockImplementation(() => {
      throw 'boom';
    });
    const response = await dispatch(interpreter, op('describe'), {
      onInternalError: () => {
        throw new Error('logger down');
      },
    });
    expectCodedError(response, 'ERR_INTERNAL', 'bad-1');
  });

  it('a request whose fields throw when read is ERR_INTERNAL, not a rejection', async () => {
    const request = { ...ENVELOPE };
    Object.defineProperty(request, 'op', {
      enumerable: true,
      get() {
        throw new Error('hostile getter');
      },
    });
    expectCodedError(await dispatch(memoryStore(), request), 'ERR_INTERNAL', null);
  });

  it('an IgniterError keeps its code and message and gains snake_case details', async () => {
    const store = memoryStore();
    const response = await dispatch(store, op('resolve', { relation: 'nope', from: 'x' }));
    expect(response).toEqual({
      ...ENVELOPE,
      request_id: 'bad-1',
      status: 'error',
      error: 'no relation named "nope" is registered',
      error_code: 'ERR_NO_RELATION',
      error_details: { relation: 'nope' },
    });
  });
});
