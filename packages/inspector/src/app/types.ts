// The shapes the server answers (SERVER.md, API.md), as the inspector reads them.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Fact {
  id: string;
  seq: number;
  store: string;
  key: string;
  value: Json;
  valueHash: string;
  causation: string | null;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
  producer: Record<string, Json> | null;
  derivation: Record<string, Json> | null;
  idempotencyKey: string | null;
}

export interface StoreCount {
  store: string;
  factCount: number;
  keyCount: number;
}

export interface LineageEntry {
  id: string;
  store: string;
  key: string;
  causation: string | null;
  valueHash: string;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
}

export interface DerivedBy {
  rule: string;
  kind: string;
  sourceStore: string;
  targetStore: string;
  targetKey: string;
  sourceFilters: Record<string, Json>;
}

export interface Lineage {
  subject: { store: string; key: string };
  chain: LineageEntry[];
  depth: number;
  derivedBy: DerivedBy[];
  proofHash: string | null;
}

export interface ChangeEvent {
  seq: number;
  kind: 'write' | 'append' | 'derived' | 'pruned' | 'compacted';
  store: string;
  key: string;
  factId: string;
  valueHash: string;
  transactionTime: number;
}

export interface Health {
  status: string;
  backend: string;
  engine: string;
  role: string;
  fact_count: number;
  last_seq: number;
  subscribers: number;
}

/** `storage_stats` through the protocol (wire form, snake_case; null in memory). */
export interface StorageStats {
  backend: string;
  byte_size: number;
  fact_count: number;
  recovered_tail_bytes: number;
  stores: Record<string, { fact_count: number; byte_size: number }>;
}

export interface SegmentEntry {
  segment: number;
  sealed: boolean;
  min_seq: number | null;
  max_seq: number | null;
  min_time: number | null;
  max_time: number | null;
  fact_count: number;
  byte_size: number;
  codec: string;
}

/** `segment_manifest` through the protocol (null unless segmented). */
export interface SegmentManifest {
  stores: Record<string, SegmentEntry[]>;
}

export interface VerifyResult {
  ok: boolean;
  factsChecked: number;
  problems: Array<{ kind: string; file?: string; offset?: number; factId?: string; message: string }>;
}
