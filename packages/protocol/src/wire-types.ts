import type { Json, JsonObject } from '@igniter/core';

/** The protocol name every envelope carries. */
export const PROTOCOL = 'igniter_store';
/** The one envelope, packet and snapshot version this package speaks. */
export const SCHEMA_VERSION = 1;

/** The nine descriptor kinds. */
export type DescriptorKind =
  | 'store'
  | 'history'
  | 'access_path'
  | 'relation'
  | 'projection'
  | 'derivation'
  | 'command'
  | 'effect'
  | 'subscription';

/** A descriptor as sent: a JSON object with at least `kind` and `name`; checked by `register`. */
export type DescriptorPacket = JsonObject;

/** A normalised descriptor, as stored in `__descriptors` and listed by `descriptorSnapshot()`. */
export type Descriptor = JsonObject & { kind: DescriptorKind; name: string };

/** What a registration or a write came to. */
export type ReceiptStatus = 'accepted' | 'unchanged' | 'conflict' | 'rejected';

/**
 * The answer to `register`, `write`, `writeFact` and `append`. Optional fields are absent, never
 * null. `kind` is the descriptor kind, `'receipt'` for writes, `'append_receipt'` for appends,
 * and null for a descriptor without a usable kind.
 */
export interface Receipt {
  schema_version: 1;
  kind: DescriptorKind | 'receipt' | 'append_receipt' | null;
  status: ReceiptStatus;
  name?: string;
  store?: string;
  key?: string;
  fact_id?: string;
  value_hash?: string;
  /** The commit sequence of the fact (writes and appends). */
  seq?: number;
  warnings: string[];
  errors: string[];
  error_code?: string;
  error_details?: JsonObject;
  /** Reserved for derived facts; always empty in v1. */
  derived: [];
}

/** Optimistic concurrency on the wire: commit only if the latest fact has `seq`, or none exists. */
export type ExpectPacket = { seq: number } | { absent: true };

/** The packet of `write`: one fact input (also the body of `write_fact`). */
export interface WritePacket {
  store: string;
  key: string;
  value: Json;
  causation?: string | null;
  valid_time?: number | null;
  schema_version?: number;
  producer?: JsonObject | null;
  derivation?: JsonObject | null;
  expect?: ExpectPacket;
  idempotency_key?: string;
}

/** The packet of `write_fact`: a fact input tagged `kind: 'fact'`; server-assigned fields are ignored. */
export interface FactInputPacket extends WritePacket {
  kind: 'fact';
  id?: string;
  seq?: number;
  transaction_time?: number;
  /** When present, must equal the hash of `value` (the server verifies, never trusts it). */
  value_hash?: string;
}

/** The packet of `append`: an event arriving in a history store under a fresh key. */
export interface AppendPacket {
  history: string;
  event: JsonObject;
  /** Accepted and ignored (the key is generated); the receipt warns. */
  key?: string;
  partition_key?: string;
  schema_version?: number;
  valid_time?: number | null;
  producer?: JsonObject | null;
  derivation?: JsonObject | null;
  idempotency_key?: string;
}

/** The packet of `read`. */
export interface ReadPacket {
  store: string;
  key: string;
  as_of?: number;
  valid_at?: number;
}

/** `read`'s answer: `{ value: null, found: false }` on a miss. */
export interface ReadResult {
  value: Json;
  found: boolean;
}

/** The packet of `read_fact`: as `read`'s. */
export type ReadFactPacket = ReadPacket;

/**
 * `read_fact`'s answer: the fact `read` would return the value of (coerced value, raw
 * `value_hash`), whose `seq` a client passes back as `expect: { seq }`; `{ found: false, fact:
 * null }` on a miss.
 */
export interface ReadFactResult {
  found: boolean;
  fact: FactPacket | null;
}

/** The packet of `keys`. */
export interface KeysPacket {
  store: string;
  /** Only keys that start with this string. */
  prefix?: string;
  /** Only keys after this one in UTF-16 order (an exclusive cursor: a previous `next_cursor`). */
  after?: string;
  /** Default 1000, at most 10_000. */
  limit?: number;
}

/** `keys`' answer: keys in UTF-16 order; `next_cursor` is the last key when `has_more`, else null. */
export interface KeysResult {
  keys: string[];
  count: number;
  has_more: boolean;
  next_cursor: string | null;
}

/** The packet of `stores`. */
export interface StoresPacket {
  /** Only stores after this one in UTF-16 order (an exclusive cursor). */
  after?: string;
  /** Default 1000, at most 10_000. */
  limit?: number;
}

/** One user store in `stores`' answer. */
export interface StoreSummaryPacket {
  store: string;
  fact_count: number;
  key_count: number;
}

/** `stores`' answer: user stores (no "__" stores) in UTF-16 order. */
export interface StoresResult {
  stores: StoreSummaryPacket[];
  count: number;
  has_more: boolean;
  next_cursor: string | null;
}

/** Sort order of `query`: a value field, ascending, or a field and a direction. */
export type QueryOrder = string | { field: string; direction?: 'asc' | 'desc' };

/** The packet of `query`. */
export interface QueryPacket {
  store: string;
  /** Field equality on the latest value of each key (default: every key). */
  where?: JsonObject;
  order?: QueryOrder;
  /** Default 100, at most 10_000. */
  limit?: number;
  /** Only keys after this one in UTF-16 order (a previous `next_cursor`); not with `order`. */
  after?: string;
  as_of?: number;
  valid_at?: number;
}

/** One key and its value. */
export interface KeyedValue {
  key: string;
  value: Json;
}

/** `query`'s and `resolve`'s answer; `count` is the number of items returned. */
export interface ItemsResult {
  items: KeyedValue[];
  /** The same array as `items`, under the v1 name wire clients of the Ruby server read. */
  results: KeyedValue[];
  count: number;
  has_more: boolean;
}

/** `query`'s answer: `next_cursor` is the last key of the page when `has_more` (key order), else null. */
export interface QueryResult extends ItemsResult {
  next_cursor: string | null;
}

/** The packet of `resolve`. */
export interface ResolvePacket {
  relation: string;
  from: Json;
  as_of?: number;
  /** Default 100, at most 10_000. */
  limit?: number;
}

/** A fact in wire form: every field of the fact (idempotency key aside), snake_case. */
export interface FactPacket {
  kind: 'fact';
  id: string;
  seq: number;
  store: string;
  key: string;
  value: Json;
  value_hash: string;
  causation: string | null;
  transaction_time: number;
  valid_time: number | null;
  schema_version: number;
  producer: JsonObject | null;
  derivation: JsonObject | null;
}

/** What `replay` selects: a store, one key of it, or one partition of it. */
export interface ReplayFilter {
  store?: string;
  key?: string;
  partition_key?: string;
  partition_value?: Json;
}

/** The packet of `replay`. */
export interface ReplayPacket {
  /** A seq cursor, exclusive (default 0: from the start). */
  after?: number;
  /** Default 1000, at most 10_000. */
  limit?: number;
  filter?: ReplayFilter;
  /** Include internal `__*` stores when no store is named (default false). */
  include_internal?: boolean;
}

/** `replay`'s answer. `next_cursor` is always set: the input cursor when nothing new matched. */
export interface ReplayResult {
  facts: FactPacket[];
  count: number;
  next_cursor: number;
  has_more: boolean;
}

/** The packet of `causation_chain` and `lineage`. */
export interface SubjectPacket {
  store: string;
  key: string;
  /** Default 1000, at most 10_000. */
  limit?: number;
}

/** One step of a causation chain; `value_hash` is its first 12 hex chars. */
export interface CausationStepPacket {
  id: string;
  value_hash: string;
  causation: string | null;
  transaction_time: number;
}

/** `causation_chain`'s answer, oldest first. */
export interface CausationChainResult {
  chain: CausationStepPacket[];
  count: number;
  has_more: boolean;
}

/** One fact of a lineage chain. */
export interface LineageEntryPacket {
  id: string;
  store: string;
  key: string;
  causation: string | null;
  value_hash: string;
  transaction_time: number;
  valid_time: number | null;
  schema_version: number;
}

/** `lineage`'s answer. `depth` and `proof_hash` cover the whole chain, also when `chain` is cut at `limit`. */
export interface LineageResult {
  subject: { store: string; key: string };
  chain: LineageEntryPacket[];
  depth: number;
  derived_by: Array<{
    rule: string;
    kind: string;
    source_store: string;
    target_store: string;
    target_key: string;
    source_filters: JsonObject;
  }>;
  proof_hash: string | null;
  has_more: boolean;
}

/** A fact reference: no value. */
export interface FactRefPacket {
  id: string;
  store: string;
  key: string;
  transaction_time: number;
  valid_time: number | null;
  value_hash: string;
}

/** `fact_ref`'s answer. */
export interface FactRefResult {
  found: boolean;
  ref: FactRefPacket | null;
}

export type {
  RebuildPacket,
  RebuildResultPacket,
  RuleNamePacket,
  RuleStatusPacket,
  RuleStatusResult,
} from './rule-types.js';
export type {
  AccessPathPacket,
  Alert,
  CompactionActivityPacket,
  CompactionActivityResult,
  CompactionEntry,
  CompactionKind,
  Description,
  DescriptorSnapshot,
  MetadataSnapshot,
  ObservabilitySnapshot,
  RetentionPacket,
  SegmentManifestPacket,
  StorageStatsPacket,
  StoreFilterPacket,
  SyncHubProfile,
  SyncPacket,
} from './snapshot-types.js';
