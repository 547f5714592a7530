import type { OpContext } from '../context.js';
import { decodePacket } from '../packet-spec.js';
import { SPECS } from '../specs.js';
import { toSegmentManifestPacket, toStorageStatsPacket } from '../wire-form.js';
import type {
  Alert,
  DescriptorKind,
  DescriptorSnapshot,
  MetadataSnapshot,
  ObservabilitySnapshot,
  RetentionPacket,
  SegmentManifestPacket,
  StorageStatsPacket,
  StoreFilterPacket,
} from '../wire-types.js';

const SECTIONS = {
  store: 'stores',
  history: 'histories',
  access_path: 'access_paths',
  relation: 'relations',
  projection: 'projections',
  derivation: 'derivations',
  command: 'commands',
  effect: 'effects',
  subscription: 'subscriptions',
} as const satisfies Record<DescriptorKind, keyof DescriptorSnapshot>;

/**
 * Every current descriptor, by kind, each keyed by name (commands and effects by owner, then
 * name), as registered (normalised). Cost: O(descriptor versions).
 */
export function descriptorSnapshot(ctx: OpContext): DescriptorSnapshot {
  const snapshot: DescriptorSnapshot = {
    schema_version: 1,
    stores: {},
    histories: {},
    access_paths: {},
    relations: {},
    projections: {},
    derivations: {},
    commands: {},
    effects: {},
    subscriptions: {},
  };
  for (const d of ctx.descriptors.all()) {
    if (d.kind === 'command' || d.kind === 'effect') {
      const owner = typeof d.owner === 'string' ? d.owner : '';
      const section = snapshot[SECTIONS[d.kind]];
      section[owner] ??= {};
      section[owner][d.name] = d;
    } else {
      snapshot[SECTIONS[d.kind]][d.name] = d;
    }
  }
  return snapshot;
}

/** Storage statistics in wire form, or null (in memory). */
export function storageStats(ctx: OpContext, packet: unknown = {}): StorageStatsPacket | null {
  const p = decodePacket<StoreFilterPacket>(SPECS.storage_stats, packet, 'storage_stats');
  const stats = ctx.store.storageStats(p.store === undefined ? {} : { store: p.store });
  return stats ? toStorageStatsPacket(stats) : null;
}

/** The segment manifest in wire form, or null (not a segmented store). */
export function segmentManifest(ctx: OpContext, packet: unknown = {}): SegmentManifestPacket | null {
  const p = decodePacket<StoreFilterPacket>(SPECS.segment_manifest, packet, 'segment_manifest');
  const manifest = ctx.store.segmentManifest(p.store === undefined ? {} : { store: p.store });
  return manifest ? toSegmentManifestPacket(manifest) : null;
}

/** Every retention policy of the store in wire form. Cost: O(stores with a policy). */
export function retentionPackets(ctx: OpContext): Record<string, RetentionPacket> {
  const out: Record<string, RetentionPacket> = {};
  for (const [store, policy] of Object.entries(ctx.store.retentionSnapshot())) {
    // defineProperty, so that a store named "__proto__" is an ordinary key.
    Object.defineProperty(out, store, {
      value: { strategy: policy.strategy, duration: policy.duration ?? null },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * What the store runs and what was declared: descriptors of stores, histories and
 * subscriptions; commands and effects grouped by owner; the engine's access paths, relations,
 * projections, derivations and scatters; `storage` only when the store has statistics.
 * Cost: O(descriptor versions + registrations).
 */
export function metadataSnapshot(ctx: OpContext): MetadataSnapshot {
  const descriptors = descriptorSnapshot(ctx);
  const graph = ctx.store.schemaGraph;
  const accessPaths: MetadataSnapshot['access_paths'] = {};
  for (const [store, paths] of Object.entries(graph.metadataSnapshot())) {
    accessPaths[store] = paths.map((p) => ({
      store: p.store,
      scope: p.scope,
      lookup: p.lookup,
      filters: p.filters,
      cache_ttl: p.cacheTtl,
      consumer_count: p.consumerCount,
    }));
  }
  const relations: MetadataSnapshot['relations'] = {};
  for (const [name, r] of Object.entries(graph.relationSnapshot())) {
    relations[name] = {
      name: r.name,
      source: r.source,
      partition: r.partition,
      target: r.target,
      index_store: r.indexStore,
    };
  }
  const projections: MetadataSnapshot['projections'] = {};
  for (const [name, p] of Object.entries(graph.projectionSnapshot())) {
    projections[name] = {
      name: p.name,
      reads: p.reads,
      relations: p.relations,
      consumer_hint: p.consumerHint,
      reactive: p.reactive,
      store_count: p.storeCount,
      relation_count: p.relationCount,
    };
  }
  const snapshot: MetadataSnapshot = {
    schema_version: 1,
    stores: descriptors.stores,
    histories: descriptors.histories,
    access_paths: accessPaths,
    relations,
    projections,
    commands: descriptors.commands,
    effects: descriptors.effects,
    derivations: graph.derivationSnapshot().map((d, index) => ({
      index,
      source_store: d.sourceStore,
      source_filters: d.sourceFilters,
      target_store: d.targetStore,
      target_key: d.targetKey,
    })),
    scatters: graph.scatterSnapshot().map((s, index) => ({
      index,
      name: s.name,
      source_store: s.sourceStore,
      partition_by: s.partitionBy,
      target_store: s.targetStore,
    })),
    subscriptions: descriptors.subscriptions,
    retention: retentionPackets(ctx),
  };
  const storage = storageStats(ctx);
  if (storage) snapshot.storage = storage;
  return snapshot;
}

/**
 * The protocol-level health view: `status: 'ready'` (an in-process store has no other state
 * while open; a closed one answers `ERR_CLOSED`), storage statistics, and an alert when the
 * storage size exceeds the interpreter's threshold. Times are integer ms (D8).
 */
export function observabilitySnapshot(ctx: OpContext): ObservabilitySnapshot {
  const storage = storageStats(ctx);
  const alerts: Alert[] = [];
  const threshold = ctx.storageByteSizeThreshold;
  if (storage && storage.byte_size > threshold) {
    alerts.push({
      code: 'storage_byte_size',
      severity: 'warning',
      value: storage.byte_size,
      threshold,
      message: `storage byte size ${storage.byte_size} exceeds the threshold ${threshold}`,
    });
  }
  return {
    schema_version: 1,
    generated_at: ctx.now(),
    status: 'ready',
    uptime_ms: null,
    metrics: null,
    alerts,
    storage,
    server: null,
  };
}
