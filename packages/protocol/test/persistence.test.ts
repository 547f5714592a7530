import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import type { IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DESCRIPTOR_STORE, dispatch, Interpreter } from '../src/index.js';
import { ENGINE, memoryStore, steppingClock } from './support/stores.js';

const TASKS_BY_PROJECT = {
  kind: 'relation',
  name: 'project_tasks',
  from: { store: 'projects', key: 'id' },
  to: { store: 'tasks', field: 'project_id' },
};
const OPEN_TASKS = {
  kind: 'access_path',
  name: 'open_tasks',
  store: 'tasks',
  fields: ['status'],
  filters: { status: 'open' },
};
const DASHBOARD = {
  kind: 'projection',
  name: 'dashboard',
  reads: ['tasks', 'projects'],
  relations: ['project_tasks'],
};

describe(`descriptors are facts of __descriptors (${ENGINE} engine)`, () => {
  it('each accepted version is one fact keyed kind:name, with the normalised descriptor as value', () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    const first = p.register({ kind: 'store', name: 'tasks', key: 'id' });
    p.register({ kind: 'store', name: 'tasks', key: 'id' });
    const second = p.register({ kind: 'store', name: 'tasks', key: 'uuid' }, { replace: true });
    const facts = store.history({ store: DESCRIPTOR_STORE });
    expect(facts.map((f) => [f.id, f.key, f.value])).toEqual([
      [first.fact_id, 'store:tasks', { kind: 'store', name: 'tasks', key: 'id' }],
      [second.fact_id, 'store:tasks', { kind: 'store', name: 'tasks', key: 'uuid' }],
    ]);
    expect(facts[1]?.causation).toBe(first.fact_id);
    expect(facts[0]?.producer).toEqual({ system: 'igniter_protocol', kind: 'descriptor' });
  });

  it('a rejected, conflicting or unchanged registration writes no fact', () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    p.register({ kind: 'store', name: 'tasks', key: 'id' });
    const before = store.factCount();
    expect(p.register({ kind: 'store', name: 'tasks' }).status).toBe('rejected');
    expect(p.register({ kind: 'store', name: 'tasks', key: 'uuid' }).status).toBe('conflict');
    expect(p.register({ kind: 'store', name: 'tasks', key: 'id' }).status).toBe('unchanged');
    expect(store.factCount()).toBe(before);
  });

  it('a client cannot write to __descriptors: the write is rejected with ERR_RESERVED_NAME', async () => {
    const store = memoryStore();
    const response = await dispatch(store, {
      protocol: 'igniter_store',
      schema_version: 1,
      op: 'write',
      packet: {
        store: DESCRIPTOR_STORE,
        key: 'store:tasks',
        value: { kind: 'store', name: 'tasks', key: 'x' },
      },
    });
    expect(response).toMatchObject({
      status: 'ok',
      result: { status: 'rejected', error_code: 'ERR_RESERVED_NAME' },
    });
    expect(store.factCount()).toBe(0);
  });

  it('interpreters over one store agree: the store is the only state', () => {
    const store = memoryStore();
    const a = new Interpreter(store);
    const b = new Interpreter(store);
    a.register({ kind: 'store', name: 'tasks', key: 'id' });
    expect(b.register({ kind: 'store', name: 'tasks', key: 'id' }).status).toBe('unchanged');
    expect(b.register({ kind: 'store', name: 'tasks', key: 'uuid' }).status).toBe('conflict');
    expect(b.descriptorSnapshot()).toEqual(a.descriptorSnapshot());
  });

  it('an access path descriptor registers an engine path with its filters', () => {
    const store = memoryStore();
    new Interpreter(store).register(OPEN_TASKS);
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.write({ store: 'tasks', key: 't2', value: { status: 'done' } });
    expect(store.query({ store: 'tasks', scope: 'open_tasks' }).map((f) => f.key)).toEqual(['t1']);
  });

  it('a relation cannot be replaced by another definition: rejected, and the old one stays', () => {
    const store = memoryStore();
    const p = new Interpreter(store);
    p.register(TASKS_BY_PROJECT);
    const other = { ...TASKS_BY_PROJECT, to: { store: 'tasks', field: 'owner_project' } };
    const receipt = p.register(other, { replace: true });
    expect(receipt).toMatchObject({ status: 'rejected', error_code: 'ERR_INVALID_ARGUMENT' });
    expect(p.descriptorSnapshot().relations.project_tasks).toEqual({
      ...TASKS_BY_PROJECT,
      cardinality: 'many',
    });
    expect(p.metadataSnapshot().relations.project_tasks?.partition).toBe('project_id');
  });
});

describe(`descriptors survive a reopen of a file store (${ENGINE} engine)`, () => {
  let dir = '';
  let open: IgniterStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-reopen-'));
    open = [];
  });
  afterEach(async () => {
    for (const store of open) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function reopen(): IgniterStore {
    const store = openFileStore(join(dir, 'app.log'), { clock: steppingClock(), durability: 'none' });
    open.push(store);
    return store;
  }

  it('the reopened store runs the stored paths, relations and projections before protocol() is called', async () => {
    const first = reopen();
    for (const d of [TASKS_BY_PROJECT, OPEN_TASKS, DASHBOARD])
      expect(first.registerDescriptor(d).status).toBe('accepted');
    first.write({ store: 'tasks', key: 't1', value: { project_id: 'p1', status: 'open' } });
    await first.close();

    const second = reopen();
    second.write({ store: 'tasks', key: 't2', value: { project_id: 'p1', status: 'done' } });
    expect(second.query({ store: 'tasks', scope: 'open_tasks' }).map((f) => f.key)).toEqual(['t1']);
    expect(second.resolve('project_tasks', { from: 'p1' })).toEqual([
      { project_id: 'p1', status: 'open' },
      { project_id: 'p1', status: 'done' },
    ]);
    expect(second.schemaGraph.projectionFor('dashboard')?.reads).toEqual(['tasks', 'projects']);
  });

  it('a new interpreter over the reopened store sees the same descriptors and metadata', async () => {
    const first = reopen();
    const p1 = new Interpreter(first);
    for (const d of [{ kind: 'store', name: 'tasks', key: 'id' }, TASKS_BY_PROJECT, OPEN_TASKS, DASHBOARD]) {
      expect(p1.register(d).status).toBe('accepted');
    }
    p1.write({ store: 'tasks', key: 't1', value: { project_id: 'p1', status: 'open' } });
    const before = { descriptors: p1.descriptorSnapshot(), metadata: p1.metadataSnapshot() };
    await first.close();

    const second = reopen();
    const p2 = new Interpreter(second);
    expect(p2.descriptorSnapshot()).toEqual(before.descriptors);
    const { storage: _before, ...metaBefore } = before.metadata;
    const { storage: _after, ...metaAfter } = p2.metadataSnapshot();
    expect(metaAfter).toEqual(metaBefore);
    p2.write({ store: 'tasks', key: 't2', value: { project_id: 'p1', status: 'done' } });
    expect(p2.resolve({ relation: 'project_tasks', from: 'p1' }).items.map((i) => i.key)).toEqual([
      't1',
      't2',
    ]);
    expect(second.query({ store: 'tasks', scope: 'open_tasks' }).map((f) => f.key)).toEqual(['t1']);
    expect(p2.register(TASKS_BY_PROJECT).status).toBe('unchanged');
  });

  it('the lazily loaded store.protocol() restores them too', async () => {
    const first = reopen();
    first.registerDescriptor(OPEN_TASKS);
    await first.close();
    const second = reopen();
    expect(second.registerDescriptor(OPEN_TASKS).status).toBe('unchanged');
    expect(second.schemaGraph.pathFor('tasks', 'open_tasks')?.filters).toEqual({ status: 'open' });
  });

  it('a stored descriptor the engine refuses on restore is a process warning at open, not a failure', async () => {
    const first = reopen();
    // A stored version the engine refuses (a partition field over 1024 bytes): only a damaged or
    // foreign log holds one, since registration applies a descriptor before storing it.
    const refused = {
      ...TASKS_BY_PROJECT,
      to: { store: 'tasks', field: 'x'.repeat(1100) },
      cardinality: 'many',
    };
    first.commitDescriptor('relation:project_tasks', refused);
    await first.close();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const second = reopen();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[1]).toMatchObject({ code: 'IGNITER_DESCRIPTOR_RESTORE' });
      expect(second.schemaGraph.relationFor('project_tasks')).toBeUndefined();
      expect(new Interpreter(second).descriptorSnapshot().relations.project_tasks).toEqual(refused);
    } finally {
      warn.mockRestore();
    }
  });
});
