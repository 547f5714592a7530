import type { JsonObject } from '@igniter/core';
import type { Descriptor, DescriptorKind, FactPacket, PROTOCOL } from './wire-types.js';

/** The packet of `sync_hub_profile`. */
export interface SyncPacket {
  after?: number;
  limit?: number;
  stores?: string[];
  include_internal?: boolean;
}

/** A hub's sync bundle: metadata, a page of facts after a seq cursor, compaction activity. */
export interface SyncHubProfile {
  schema_version: 1;
  kind: 'sync_hub_profile';
  generated_at: number;
  /** The input cursor; null for a full sync. */
  cursor: number | null;
  full: boolean;
  descriptors: MetadataSnapshot;
  facts: FactPacket[];
  fact_count: number;
  next_cursor: number;
  has_more: boolean;
  /** The same retention policies as `descriptors.retention`, at the top as the Ruby profile has them. */
  retention: Record<string, RetentionPacket>;
  compaction_activity: CompactionActivityResult;
}

/** Every descriptor by kind, each keyed by descriptor name. */
export interface DescriptorSnapshot {
  schema_version: 1;
  stores: Record<string, Descriptor>;
  histories: Record<string, Descriptor>;
  access_paths: Record<string, Descriptor>;
  relations: Record<string, Descriptor>;
  projections: Record<string, Descriptor>;
  derivations: Record<string, Descriptor>;
  /** Commands by owner, then name (a command's identity includes its owner). */
  commands: Record<string, Record<string, Descriptor>>;
  /** Effects by owner, then name. */
  effects: Record<string, Record<string, Descriptor>>;
  subscriptions: Record<string, Descriptor>;
}

/** One access path of a store as the engine runs it. */
export interface AccessPathPacket {
  store: string;
  scope: string | null;
  lookup: string | null;
  filters: JsonObject;
  cache_ttl: number | null;
  consumer_count: number;
}

/**
 * What the store runs and what was declared: descriptors of stores, histories, subscriptions;
 * the engine's access paths, relations, projections, derivations and scatters; commands and
 * effects grouped by owner. `storage` is present only for a store with storage statistics.
 */
export interface MetadataSnapshot {
  schema_version: 1;
  stores: Record<string, Descriptor>;
  histories: Record<string, Descriptor>;
  access_paths: Record<string, AccessPathPacket[]>;
  relations: Record<
    string,
    { name: string; source: string; partition: string; target: string; index_store: string }
  >;
  projections: Record<
    string,
    {
      name: string;
      reads: string[];
      relations: string[];
      consumer_hint: string | null;
      reactive: boolean;
      store_count: number;
      relation_count: number;
    }
  >;
  commands: Record<string, Record<string, Descriptor>>;
  effects: Record<string, Record<string, Descriptor>>;
  derivations: Array<{
    index: number;
    source_store: string;
    source_filters: JsonObject;
    target_store: string;
    target_key: string;
  }>;
  scatters: Array<{
    index: number;
    name: string;
    source_store: string;
    partition_by: string;
    target_store: string;
  }>;
  subscriptions: Record<string, Descriptor>;
  /** Every store's retention policy (set with `setRetention`); `duration` null unless rolling_window. */
  retention: Record<string, RetentionPacket>;
  storage?: StorageStatsPacket;
}

/** A store's retention policy in wire form. */
export interface RetentionPacket {
  strategy: 'permanent' | 'ephemeral' | 'rolling_window';
  /** Window in ms for rolling_window, else null. */
  duration: number | null;
}

/** Storage statistics in wire form (`null` in memory). */
export interface StorageStatsPacket {
  schema_version: 1;
  backend: 'file' | 'segmented' | 'postgres';
  byte_size: number;
  fact_count: number;
  recovered_tail_bytes: number;
  stores: Record<string, { fact_count: number; byte_size: number }>;
}

/** A segment manifest in wire form (`null` unless segmented). */
export interface SegmentManifestPacket {
  schema_version: 1;
  stores: Record<
    string,
    Array<{
      segment: number;
      sealed: boolean;
      min_seq: number | null;
      max_seq: number | null;
      min_time: number | null;
      max_time: number | null;
      fact_count: number;
      byte_size: number;
      codec: string;
    }>
  >;
}

/** The packet of `storage_stats` and `segment_manifest`. */
export interface StoreFilterPacket {
  store?: string;
}

/** The kinds of compaction activity. */
export type CompactionKind = 'retention_compaction' | 'exact_prune' | 'segment_purge';

/** The packet of `compaction_activity`. */
export interface CompactionActivityPacket {
  store?: string;
  kind?: CompactionKind;
  /** Keeps entries with `occurred_at >= since` (ms). */
  since?: number;
  /** Default 100, at most 10_000; keeps the newest entries. */
  limit?: number;
}

/** One compaction, prune or purge. */
export interface CompactionEntry {
  kind: CompactionKind;
  executor: 'store_compact' | 'fact_prune' | 'segmented_backend';
  store: string | null;
  status: 'ok';
  reason: string;
  fact_count: number;
  receipt_id: string;
  occurred_at: number;
}

/** `compaction_activity`'s answer, oldest first; `filters` echoes the normalised inputs. */
export interface CompactionActivityResult {
  schema_version: 1;
  generated_at: number;
  filters: { store: string | null; kind: CompactionKind | null; since: number | null; limit: number };
  activity: CompactionEntry[];
  count: number;
  has_more: boolean;
}

/** One alert of the observability snapshot. */
export interface Alert {
  code: 'storage_byte_size';
  severity: 'warning';
  value: number;
  threshold: number;
  message: string;
}

/** The protocol-level health view of a store. */
export interface ObservabilitySnapshot {
  schema_version: 1;
  generated_at: number;
  status: 'ready';
  uptime_ms: null;
  metrics: null;
  alerts: Alert[];
  storage: StorageStatsPacket | null;
  server: null;
}

/** `describe`'s answer: what this interpreter speaks. */
export interface Description {
  protocol: typeof PROTOCOL;
  schema_versions: number[];
  ops: string[];
  descriptor_kinds: DescriptorKind[];
  limits: Record<string, { default: number; max: number }>;
}
