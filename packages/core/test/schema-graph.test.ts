import { describe, expect, it } from 'vitest';
import { type AccessPath, type Consumer, type Projection, SchemaGraph } from '../src/schema-graph.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore } from './support/store.js';

function path(overrides: Partial<AccessPath> & { store: string }): AccessPath {
  return { scope: null, filters: {}, cacheTtl: undefined, consumers: [], lookup: undefined, ...overrides };
}

function projection(overrides: Partial<Projection> & { name: string }): Projection {
  return { reads: [], relations: [], consumerHint: null, reactive: false, ...overrides };
}

describe('SchemaGraph', () => {
  it('returns the registered paths of a store', () => {
    const graph = new SchemaGraph();
    const p = path({ store: 'tasks' });
    graph.registerPath(p);
    expect(graph.pathsFor('tasks')).toEqual([p]);
  });

  it('returns no paths for an unknown store', () => {
    expect(new SchemaGraph().pathsFor('unknown')).toEqual([]);
  });

  it('returns a copy of the path list', () => {
    const graph = new SchemaGraph();
    graph.registerPath(path({ store: 'tasks' }));
    graph.pathsFor('tasks').pop();
    expect(graph.pathsFor('tasks')).toHaveLength(1);
  });

  it('chains registrations and keeps every scope of a store', () => {
    const graph = new SchemaGraph();
    const open = path({ store: 'tasks', scope: 'open' });
    const closed = path({ store: 'tasks', scope: 'closed' });
    expect(graph.registerPath(open).registerPath(closed)).toBe(graph);
    expect(graph.pathsFor('tasks')).toEqual([open, closed]);
  });

  it('replaces a path registered again for the same store and scope', () => {
    const graph = new SchemaGraph();
    const first = path({ store: 'tasks', scope: 'open', filters: { a: 1 } });
    const second = path({ store: 'tasks', scope: 'open', filters: { a: 2 } });
    graph.registerPath(first).registerPath(second);
    expect(graph.pathsFor('tasks')).toEqual([second]);
  });

  it('lists each consumer of a store once', () => {
    const graph = new SchemaGraph();
    const a: Consumer = () => undefined;
    const b: Consumer = () => undefined;
    const c: Consumer = () => undefined;
    graph.registerPath(path({ store: 's', scope: 'x', consumers: [a, b] }));
    graph.registerPath(path({ store: 's', scope: 'y', consumers: [b, c] }));
    expect(graph.consumersFor('s')).toEqual([a, b, c]);
    expect(graph.consumersFor('unknown')).toEqual([]);
  });

  it('finds the path of a scope, and the point path by null', () => {
    const graph = new SchemaGraph();
    const open = path({ store: 'tasks', scope: 'open' });
    const point = path({ store: 'tasks' });
    graph.registerPath(open).registerPath(point);
    expect(graph.pathFor('tasks', 'open')).toBe(open);
    expect(graph.pathFor('tasks', null)).toBe(point);
    expect(graph.pathFor('tasks', 'unknown')).toBeUndefined();
    expect(graph.pathFor('unknown', null)).toBeUndefined();
  });

  it('lists the stores that have paths', () => {
    const graph = new SchemaGraph();
    expect(graph.registeredStores()).toEqual([]);
    graph.registerPath(path({ store: 'tasks' })).registerPath(path({ store: 'reminders' }));
    expect(graph.registeredStores()).toEqual(['tasks', 'reminders']);
  });

  it('registers nothing when stores are only looked up (§11 item 21)', () => {
    const graph = new SchemaGraph();
    graph.pathsFor('tasks');
    graph.pathFor('tasks', 'open');
    graph.consumersFor('tasks');
    expect(graph.registeredStores()).toEqual([]);
    expect(graph.metadataSnapshot()).toEqual({});
  });

  it('snapshots each path without its consumers, counting them instead', () => {
    const graph = new SchemaGraph();
    graph.registerPath(
      path({
        store: 'tasks',
        scope: 'open',
        lookup: 'scope_index',
        filters: { status: 'open' },
        cacheTtl: 60,
        consumers: [() => undefined, () => undefined],
      }),
    );
    expect(graph.metadataSnapshot()).toStrictEqual({
      tasks: [
        {
          store: 'tasks',
          scope: 'open',
          lookup: 'scope_index',
          filters: { status: 'open' },
          cacheTtl: 60,
          consumerCount: 2,
        },
      ],
    });
  });

  it('snapshots a point path with nulls for what it lacks', () => {
    const graph = new SchemaGraph();
    graph.registerPath(path({ store: 'tasks' }));
    expect(graph.metadataSnapshot()).toStrictEqual({
      tasks: [{ store: 'tasks', scope: null, lookup: null, filters: {}, cacheTtl: null, consumerCount: 0 }],
    });
  });

  it('snapshots every path of a store', () => {
    const graph = new SchemaGraph();
    graph
      .registerPath(path({ store: 'tasks', scope: 'a' }))
      .registerPath(path({ store: 'tasks', scope: 'b' }));
    expect(graph.metadataSnapshot().tasks).toHaveLength(2);
  });

  it('returns snapshots the caller can change without changing the graph', () => {
    const graph = new SchemaGraph();
    graph.registerPath(path({ store: 'tasks', scope: 'a', filters: { n: [1] } }));
    const [entry] = graph.metadataSnapshot().tasks ?? [];
    (entry?.filters.n as number[] | undefined)?.push(2);
    expect(entry?.filters).toEqual({ n: [1, 2] });
    expect(graph.metadataSnapshot().tasks?.[0]?.filters).toEqual({ n: [1] });
  });

  it('finds projections by name and by the stores they read', () => {
    const graph = new SchemaGraph();
    const p = projection({ name: 'tracker_view', reads: ['trackers', 'tracker_logs'] });
    graph.registerProjection(p);
    expect(graph.projectionFor('tracker_view')).toBe(p);
    expect(graph.projectionsForStore('tracker_logs')).toEqual([p]);
    expect(graph.projectionsForStore('other')).toEqual([]);
    expect(graph.projectionFor('unknown')).toBeUndefined();
  });

  it('snapshots projections with store and relation counts', () => {
    const graph = new SchemaGraph();
    graph.registerProjection(
      projection({
        name: 'tracker_view',
        reads: ['trackers', 'tracker_logs'],
        relations: ['x'],
        consumerHint: 'contract_node',
        reactive: true,
      }),
    );
    expect(graph.projectionSnapshot()).toStrictEqual({
      tracker_view: {
        name: 'tracker_view',
        reads: ['trackers', 'tracker_logs'],
        relations: ['x'],
        consumerHint: 'contract_node',
        reactive: true,
        storeCount: 2,
        relationCount: 1,
      },
    });
  });
});

describe(`the store's schema graph (${ENGINE_KIND} engine)`, () => {
  it('stays empty when stores are written, appended to, read and queried without paths (§11 item 21)', () => {
    const { store } = newStore();
    store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
    store.append({ history: 'logs', event: { n: 1 } });
    store.read({ store: 'tasks', key: 't1' });
    store.history({ store: 'logs' });
    expect(() => store.query({ store: 'tasks', scope: 'open' })).toThrow();
    expect(store.schemaGraph.registeredStores()).toEqual([]);
    expect(store.schemaGraph.metadataSnapshot()).toEqual({});
  });

  it('records the paths registered through the store', () => {
    const { store } = newStore();
    const consumer: Consumer = () => undefined;
    expect(
      store.registerPath({
        store: 'tasks',
        scope: 'open',
        filters: { status: 'open' },
        cacheTtl: 60,
        lookup: 'scope_index',
        consumers: [consumer],
      }),
    ).toBe(store);
    expect(store.schemaGraph.metadataSnapshot()).toStrictEqual({
      tasks: [
        {
          store: 'tasks',
          scope: 'open',
          lookup: 'scope_index',
          filters: { status: 'open' },
          cacheTtl: 60,
          consumerCount: 1,
        },
      ],
    });
    expect(store.schemaGraph.consumersFor('tasks')).toEqual([consumer]);
  });
});
