import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch, Interpreter } from '../src/index.js';
import { ENGINE, steppingClock } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

describe(`a segmented store over the wire (B54, B55, B86; ${ENGINE} engine)`, () => {
  let dir = '';
  let store: IgniterStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-seg-'));
    store = new IgniterStore({
      backend: new SegmentedFileBackend(dir, { durability: 'none' }),
      clock: steppingClock(),
    });
    store.write({ store: 'readings', key: 'r1', value: { v: 1 } });
    store.write({ store: 'signals', key: 's1', value: { v: 1 } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('storage_stats answers versioned segmented statistics, filtered to one store on request', async () => {
    const all = await dispatch(store, { ...ENVELOPE, op: 'storage_stats' });
    expect(all).toMatchObject({
      status: 'ok',
      result: { schema_version: 1, backend: 'segmented', fact_count: 2 },
    });
    const one = await dispatch(store, { ...ENVELOPE, op: 'storage_stats', packet: { store: 'readings' } });
    expect(Object.keys((one as { result: { stores: object } }).result.stores)).toEqual(['readings']);
  });

  it('segment_manifest lists the live, unsealed segment of a store', async () => {
    const response = await dispatch(store, {
      ...ENVELOPE,
      op: 'segment_manifest',
      packet: { store: 'readings' },
    });
    expect(response).toMatchObject({
      status: 'ok',
      result: {
        schema_version: 1,
        stores: { readings: [{ sealed: false, fact_count: 1, min_seq: 1, max_seq: 1 }] },
      },
    });
    expect(Object.keys((response as { result: { stores: object } }).result.stores)).toEqual(['readings']);
  });

  it('metadata_snapshot carries storage, and the observability alert fires over a 1-byte threshold', async () => {
    const p = new Interpreter(store, { alertThresholds: { storageByteSize: 1 } });
    expect(p.metadataSnapshot().storage).toEqual(p.storageStats());
    const snapshot = p.observabilitySnapshot();
    expect(snapshot.alerts).toEqual([
      expect.objectContaining({
        code: 'storage_byte_size',
        threshold: 1,
        value: snapshot.storage?.byte_size,
      }),
    ]);
    expect(snapshot.storage?.byte_size).toBeGreaterThan(1);
  });
});
