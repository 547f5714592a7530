import type {
  CompactionActivity,
  Fact,
  FactRef,
  Json,
  JsonObject,
  SegmentManifest,
  StorageStats,
} from '@igniter/core';
import type {
  CompactionEntry,
  FactPacket,
  FactRefPacket,
  SegmentManifestPacket,
  StorageStatsPacket,
} from './wire-types.js';

/** A fact in wire form. Cost: O(1); the value is shared, not copied (it is frozen). */
export function toFactPacket(fact: Fact): FactPacket {
  return {
    kind: 'fact',
    id: fact.id,
    seq: fact.seq,
    store: fact.store,
    key: fact.key,
    value: fact.value,
    value_hash: fact.valueHash,
    causation: fact.causation,
    transaction_time: fact.transactionTime,
    valid_time: fact.validTime,
    schema_version: fact.schemaVersion,
    producer: fact.producer,
    derivation: fact.derivation,
  };
}

/** A fact reference in wire form. */
export function toFactRefPacket(ref: FactRef): FactRefPacket {
  return {
    id: ref.id,
    store: ref.store,
    key: ref.key,
    transaction_time: ref.transactionTime,
    valid_time: ref.validTime,
    value_hash: ref.valueHash,
  };
}

/** Storage statistics in wire form; store names stay as they are. */
export function toStorageStatsPacket(stats: StorageStats): StorageStatsPacket {
  const stores: StorageStatsPacket['stores'] = {};
  for (const [name, s] of Object.entries(stats.stores)) {
    stores[name] = { fact_count: s.factCount, byte_size: s.byteSize };
  }
  return {
    schema_version: 1,
    backend: stats.backend,
    byte_size: stats.byteSize,
    fact_count: stats.factCount,
    recovered_tail_bytes: stats.recoveredTailBytes,
    stores,
  };
}

/** A segment manifest in wire form. */
export function toSegmentManifestPacket(manifest: SegmentManifest): SegmentManifestPacket {
  const stores: SegmentManifestPacket['stores'] = {};
  for (const [name, segments] of Object.entries(manifest.stores)) {
    stores[name] = segments.map((s) => ({
      segment: s.segment,
      sealed: s.sealed,
      min_seq: s.minSeq,
      max_seq: s.maxSeq,
      min_time: s.minTime,
      max_time: s.maxTime,
      fact_count: s.factCount,
      byte_size: s.byteSize,
      codec: s.codec,
    }));
  }
  return { schema_version: 1, stores };
}

/** One compaction activity entry in wire form. */
export function toCompactionEntry(entry: CompactionActivity): CompactionEntry {
  return {
    kind: entry.kind,
    executor: entry.executor,
    store: entry.store,
    status: entry.status,
    reason: entry.reason,
    fact_count: entry.factCount,
    receipt_id: entry.receiptId,
    occurred_at: entry.occurredAt,
  };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The `details` of an error in wire form: top-level names in snake_case, values kept when they
 * are JSON (anything else is left out, so a response is always serialisable).
 */
export function toWireDetails(details: unknown): JsonObject | undefined {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(details)) {
    if (isJson(value, 0)) out[snakeCase(name)] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function isJson(value: unknown, depth: number): value is Json {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => isJson(v, depth + 1));
  }
  return false;
}
