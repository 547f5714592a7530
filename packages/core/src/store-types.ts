import type { Time } from './args.js';
import type { Backend } from './backend.js';
import type { ChangeSink } from './change-event.js';
import type { EngineChoice } from './engine/select.js';
import type { IgniterError } from './errors.js';
import type { Json, JsonObject } from './json.js';
import type { Consumer } from './schema-graph.js';

/** Options of `new IgniterStore(options)`. */
export interface StoreOptions {
  /** Durable storage; the store hydrates from `backend.replay()` before use. */
  backend?: Backend;
  /** Time-travel cache entries kept (default 1000). */
  lruCap?: number;
  /** Receives one event per committed fact. */
  changefeed?: ChangeSink;
  /** Which fact-log engine to run (default 'auto'; IGNITER_ENGINE overrides 'auto'). */
  engine?: EngineChoice;
  /** Ms since the epoch; drives every "now" of the store. Default `Date.now`. */
  clock?: () => number;
  /** Receives ERR_RULE_FAILED errors of rules, consumers and coercions. Default: process warning. */
  onRuleError?: (error: IgniterError) => void;
  /** Largest canonical JSON value in UTF-8 bytes (default 16 MiB). */
  maxValueBytes?: number;
}

/** Optimistic concurrency: commit only if (store, key) is as expected. */
export type Expectation = { seq: number } | { absent: true };

/** One input of `write` and `writeMany`. */
export interface WriteInput {
  store: string;
  key: string;
  value: Json;
  schemaVersion?: number;
  /** Id of the fact this one follows; defaults to the current latest fact of (store, key). */
  causation?: string | null;
  validTime?: Time;
  producer?: JsonObject | null;
  derivation?: JsonObject | null;
  expect?: Expectation;
  /** 1-512 characters; a repeat with the same value returns the original fact. */
  idempotencyKey?: string;
}

/** The input of `append`: an event arriving in a history store under a fresh key. */
export interface AppendEventInput {
  history: string;
  event: JsonObject;
  schemaVersion?: number;
  validTime?: Time;
  /** Keep the partition index of this field eagerly. */
  partitionKey?: string;
  producer?: JsonObject | null;
  derivation?: JsonObject | null;
  idempotencyKey?: string;
}

/** The input of `read`. */
export interface ReadInput {
  store: string;
  key: string;
  asOf?: Time;
  validAt?: Time;
  /** Maximum age in ms of a cached answer. */
  ttl?: number;
}

/** The input of `history`. */
export interface HistoryInput {
  store: string;
  key?: string;
  since?: Time;
  asOf?: Time;
  validAt?: Time;
}

/** The input of `historyPartition`. */
export interface HistoryPartitionInput {
  store: string;
  partitionKey: string;
  partitionValue: Json;
  since?: Time;
  asOf?: Time;
}

/** The input of `query`. */
export interface QueryInput {
  store: string;
  /** The registered scope; null or omitted for the store's point path. */
  scope?: string | null;
  asOf?: Time;
  validAt?: Time;
  ttl?: number;
}

/** The input of `registerPath`. */
export interface PathInput {
  store: string;
  scope?: string | null;
  /** Field equality on the latest value. */
  filters?: JsonObject;
  cacheTtl?: number;
  consumers?: Consumer[];
  lookup?: string;
}

/** A coercion: maps a raw value (and its schema version) to the value reads return. */
export type Coercion = (value: Json, schemaVersion: number) => Json;
