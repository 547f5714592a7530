import { describe, expect, it } from 'vitest';
import { dispatch, type ErrorResponse, type OkResponse, type Receipt } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1, request_id: 'r' } as const;
const HUGE = 10 * 1024 * 1024;

async function call(op: string, packet: unknown) {
  return dispatch(memoryStore(), { ...ENVELOPE, op, packet });
}

describe(`protocol rejections echo at most 256 characters of a caller's field (${ENGINE} engine)`, () => {
  it('a write with a 10 MB key is rejected with the key cut to 256 characters and its length', async () => {
    const key = 'k'.repeat(HUGE);
    const response = (await call('write', { store: 'tasks', key, value: 1 })) as OkResponse;
    const receipt = response.result as Receipt;
    expect(receipt.status).toBe('rejected');
    expect(receipt.key).toBe(`${'k'.repeat(256)}... (${HUGE} characters)`);
    expect(JSON.stringify(response).length).toBeLessThan(2_000);
  });

  it('a write_fact with a 1 MB kind is rejected with the kind cut in the message', async () => {
    const kind = 'x'.repeat(1024 * 1024);
    const response = (await call('write_fact', { kind, store: 'tasks', key: 'k', value: 1 })) as OkResponse;
    const receipt = response.result as Receipt;
    expect(receipt.status).toBe('rejected');
    expect(receipt.errors).toEqual([
      `write_fact: expected kind "fact", got "${'x'.repeat(255)}... (${kind.length + 2} characters)`,
    ]);
  });

  it('an error response cuts a long field name it echoes', async () => {
    const field = 'f'.repeat(5_000);
    const response = (await call('read', { store: 's', key: 'k', [field]: 1 })) as ErrorResponse;
    expect(response).toMatchObject({ status: 'error', error_code: 'ERR_BAD_REQUEST' });
    expect(response.error).toBe(`read: unknown field: ${'f'.repeat(256)}... (5000 characters)`);
  });

  it('an error response cuts a long caller string in its details', async () => {
    const key = 'k'.repeat(1_000);
    const store = memoryStore();
    await dispatch(store, { ...ENVELOPE, op: 'write', packet: { store: 's', key, value: 1 } });
    const response = (await dispatch(store, {
      ...ENVELOPE,
      op: 'write',
      packet: { store: 's', key, value: 2, expect: { absent: true } },
    })) as OkResponse;
    const receipt = response.result as Receipt;
    expect(receipt.status).toBe('conflict');
    expect(receipt.key).toBe(`${'k'.repeat(256)}... (1000 characters)`);
    expect(JSON.stringify(receipt).includes('k'.repeat(257))).toBe(false);
  });
});

describe(`protocol cursors from the future (${ENGINE} engine)`, () => {
  for (const op of ['replay', 'sync_hub_profile']) {
    it(`${op} with after past the last seq is ERR_INVALID_ARGUMENT with { field, after, lastSeq }`, async () => {
      const store = memoryStore();
      await dispatch(store, { ...ENVELOPE, op: 'write', packet: { store: 'tasks', key: 't1', value: 1 } });
      const response = (await dispatch(store, { ...ENVELOPE, op, packet: { after: 2 } })) as ErrorResponse;
      expect(response).toMatchObject({
        status: 'error',
        error_code: 'ERR_INVALID_ARGUMENT',
        error_details: { field: 'after', after: 2, last_seq: 1 },
      });
      const atHead = (await dispatch(store, { ...ENVELOPE, op, packet: { after: 1 } })) as OkResponse;
      expect(atHead.status).toBe('ok');
      expect((atHead.result as { facts: unknown[] }).facts).toEqual([]);
    });
  }
});
