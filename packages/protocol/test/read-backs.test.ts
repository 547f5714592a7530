import { describe, expect, it } from 'vitest';
import { dispatch, Interpreter } from '../src/index.js';
import { ENGINE, memoryStore } from './support/stores.js';

const ENVELOPE = { protocol: 'igniter_store', schema_version: 1 } as const;

describe(`retention in the snapshots (${ENGINE} engine)`, () => {
  it('metadata_snapshot lists every retention policy, duration null unless rolling_window', () => {
    const store = memoryStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    store.setRetention('logs', { strategy: 'rolling_window', duration: 86_400_000 });
    expect(new Interpreter(store).metadataSnapshot().retention).toEqual({
      sensors: { strategy: 'ephemeral', duration: null },
      logs: { strategy: 'rolling_window', duration: 86_400_000 },
    });
  });

  it('metadata_snapshot has an empty retention map when no policy is set', () => {
    expect(new Interpreter(memoryStore()).metadataSnapshot().retention).toEqual({});
  });

  it('sync_hub_profile carries the retention map at its top, as in its descriptors', () => {
    const store = memoryStore();
    store.setRetention('sensors', { strategy: 'ephemeral' });
    const profile = new Interpreter(store).syncHubProfile();
    expect(profile.retention).toEqual({ sensors: { strategy: 'ephemeral', duration: null } });
    expect(profile.descriptors.retention).toEqual(profile.retention);
  });

  it("metadata_snapshot lists a relation's scatter among the scatters", () => {
    const p = new Interpreter(memoryStore());
    p.register({
      kind: 'relation',
      name: 'project_tasks',
      from: { store: 'projects', key: 'id' },
      to: { store: 'tasks', field: 'project_id' },
    });
    expect(p.metadataSnapshot().scatters).toEqual([
      {
        index: 0,
        name: 'relation:project_tasks',
        source_store: 'tasks',
        partition_by: 'project_id',
        target_store: '__rel_project_tasks',
      },
    ]);
  });
});

describe(`strict options of the protocol (${ENGINE} engine)`, () => {
  it('new Interpreter refuses an unknown option, naming it', () => {
    expect(() => new Interpreter(memoryStore(), { alertThreshold: {} } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'alertThreshold' } }),
    );
  });

  it('new Interpreter refuses an unknown alert threshold, naming it', () => {
    const options = { alertThresholds: { storageBytes: 5 } };
    expect(() => new Interpreter(memoryStore(), options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'storageBytes' } }),
    );
  });

  it('register refuses an unknown option and registers nothing', () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    expect(() => p.register({ kind: 'store', name: 'tasks', key: 'id' }, { replce: true } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'replce' } }),
    );
    expect(store.factCount()).toBe(0);
  });

  it('dispatch answers ERR_INVALID_ARGUMENT for an unknown option and runs nothing', async () => {
    const store = memoryStore();
    const request = { ...ENVELOPE, op: 'write', packet: { store: 'tasks', key: 't1', value: 1 } };
    const response = await dispatch(store, request, { onError: () => undefined } as never);
    expect(response).toMatchObject({
      status: 'error',
      error_code: 'ERR_INVALID_ARGUMENT',
      error_details: { field: 'onError' },
    });
    expect(store.factCount()).toBe(0);
  });
});
