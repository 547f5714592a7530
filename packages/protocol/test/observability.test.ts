import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import type { IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Interpreter } from '../src/index.js';
import { ENGINE, memoryStore, steppingClock } from './support/stores.js';

describe(`storage statistics and alerts (${ENGINE} engine)`, () => {
  let dir = '';
  let store: IgniterStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-obs-'));
    store = openFileStore(join(dir, 'app.log'), { clock: steppingClock(), durability: 'none' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('storage_stats is the backend statistics in snake_case, store names untouched', () => {
    store.write({ store: 'readings', key: 'r1', value: { v: 1 } });
    store.write({ store: 'camelCase', key: 'c1', value: { v: 1 } });
    const stats = new Interpreter(store).storageStats();
    const raw = store.storageStats();
    expect(stats).toEqual({
      schema_version: 1,
      backend: 'file',
      byte_size: raw?.byteSize,
      fact_count: 2,
      recovered_tail_bytes: 0,
      stores: {
        readings: { fact_count: 1, byte_size: raw?.stores.readings?.byteSize },
        camelCase: { fact_count: 1, byte_size: raw?.stores.camelCase?.byteSize },
      },
    });
    expect(new Interpreter(store).storageStats({ store: 'readings' })?.stores).toEqual({
      readings: { fact_count: 1, byte_size: raw?.stores.readings?.byteSize },
    });
  });

  it('an alert is raised when storage exceeds the threshold, and only then', () => {
    store.write({ store: 'readings', key: 'r1', value: { v: 'x'.repeat(100) } });
    const bytes = store.storageStats()?.byteSize ?? 0;
    expect(
      new Interpreter(store, { alertThresholds: { storageByteSize: bytes } }).observabilitySnapshot().alerts,
    ).toEqual([]);
    const snapshot = new Interpreter(store, {
      alertThresholds: { storageByteSize: 1 },
    }).observabilitySnapshot();
    expect(snapshot.alerts).toEqual([
      {
        code: 'storage_byte_size',
        severity: 'warning',
        value: bytes,
        threshold: 1,
        message: `storage byte size ${bytes} exceeds the threshold 1`,
      },
    ]);
    expect(snapshot.storage?.byte_size).toBe(bytes);
  });

  it('segment_manifest is null for a file store and an in-memory store', () => {
    expect(new Interpreter(store).segmentManifest()).toBeNull();
    expect(new Interpreter(memoryStore()).segmentManifest()).toBeNull();
  });
});
