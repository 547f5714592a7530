import type { Time } from './args.js';
import type { Backend, RecoveredCut } from './backend.js';
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
  /**
   * Called once per cut that opening the backend made (a torn tail or damaged last frame cut,
   * a repair), after the cut bytes were kept in a side file; the same list is in
   * `storageStats().recovered`, and each cut also emits the `IGNITER_RECOVERED` warning.
   */
  onRecover?: (cut: RecoveredCut) => void;
  /** Largest canonical JSON value in UTF-8 bytes (default 16 MiB). */
  maxValueBytes?: number;
}

/** Optimistic concurrency: commit only if (store, key) is as expected. */
export type Expectation = { seq: number } | { absent: true };

/** One input of `write` and `writeMany`. */
export interface WriteInput {
  /** The store: a non-empty name of at most 1024 UTF-8 bytes, not starting with "__". */
  store: string;
  /** The key within the store: a non-empty string of at most 1024 UTF-8 bytes. */
  key: string;
  /** Any JSON value (ARCHITECTURE.md D1); stored as a deep-frozen copy. */
  value: Json;
  /** Version of the value's shape, an integer >= 1 (default 1); coercions receive it. */
  schemaVersion?: number;
  /** Id of the fact this one follows; defaults to the current latest fact of (store, key). */
  causation?: string | null;
  /** When the value became true in the world (ms or Date); null when not given. */
  validTime?: Time;
  /** Who produced the fact: a JSON object, stored as a frozen copy. */
  producer?: JsonObject | null;
  /** How the fact was derived: a JSON object, stored as a frozen copy. */
  derivation?: JsonObject | null;
  /** Commit only if the key's latest seq is `seq`, or the key has no fact (`absent`). */
  expect?: Expectation;
  /** 1-512 characters; a repeat with the same value returns the original fact. */
  idempotencyKey?: string;
}

/** The input of `append`: an event arriving in a history store under a fresh key. */
export interface AppendEventInput {
  /** The history store (same rules as a store name). */
  history: string;
  /** The event: a JSON object. */
  event: JsonObject;
  /** Version of the event's shape, an integer >= 1 (default 1). */
  schemaVersion?: number;
  /** When the event happened in the world (ms or Date). */
  validTime?: Time;
  /** Keep the partition index of this field eagerly. */
  partitionKey?: string;
  /** Who produced the event: a JSON object. */
  producer?: JsonObject | null;
  /** How the event was derived: a JSON object. */
  derivation?: JsonObject | null;
  /** 1-512 characters; a repeat with the same event returns the original fact. */
  idempotencyKey?: string;
}

/** The input of `read`. */
export interface ReadInput {
  /** The store to read. */
  store: string;
  /** The key to read. */
  key: string;
  /** Read as known at this transaction time (inclusive). */
  asOf?: Time;
  /** Read the value that stood at this valid time. */
  validAt?: Time;
  /** Maximum age in ms of a cached answer. */
  ttl?: number;
}

/** The input of `history`. */
export interface HistoryInput {
  /** The store whose facts are listed. */
  store: string;
  /** Only the facts of this key. */
  key?: string;
  /** Only facts with transactionTime >= since. */
  since?: Time;
  /** Only facts with transactionTime <= asOf. */
  asOf?: Time;
  /** Only facts valid by then, ordered by effective valid time, then seq. */
  validAt?: Time;
}

/** The input of `historyPartition`. */
export interface HistoryPartitionInput {
  /** The store whose facts are listed. */
  store: string;
  /** The value field that partitions the store. */
  partitionKey: string;
  /** The partition: facts whose `value[partitionKey]` has this canonical JSON. */
  partitionValue: Json;
  /** Only facts with transactionTime >= since. */
  since?: Time;
  /** Only facts with transactionTime <= asOf. */
  asOf?: Time;
}

/** The input of `readFact`. */
export interface ReadFactInput {
  /** The store to read. */
  store: string;
  /** The key to read. */
  key: string;
  /** Read as known at this transaction time (inclusive). */
  asOf?: Time;
  /** Read the fact that stood at this valid time. */
  validAt?: Time;
}

/** The input of `query`. */
export interface QueryInput {
  /** The store to query. */
  store: string;
  /**
   * A registered scope (`ERR_NO_PATH` when none is registered). Null or omitted: every key of
   * the store whose latest value matches `where`, no registration needed.
   */
  scope?: string | null;
  /**
   * Field equality on the latest value, as a scope's filters (every field present and deep-equal).
   * Omitted: every key. With a `scope`, narrows the scope's members further.
   */
  where?: JsonObject;
  /** Answer as known at this transaction time (inclusive). */
  asOf?: Time;
  /** Select by the facts that stood at this valid time. */
  validAt?: Time;
  /** At most this many facts (an integer >= 1). */
  limit?: number;
  /** Only keys after this one in UTF-16 order (an exclusive cursor: the last key of a page). */
  after?: string;
  /** Maximum age in ms of a cached answer (the smaller of this and the path's cacheTtl). */
  ttl?: number;
}

/** The input of `keys`. */
export interface KeysInput {
  /** The store whose keys are listed. */
  store: string;
  /** Only keys that start with this string. */
  prefix?: string;
  /** Only keys after this one in UTF-16 order (an exclusive cursor). */
  after?: string;
  /** At most this many keys (an integer >= 1). */
  limit?: number;
}

/** One user store in `stores()`. */
export interface StoreSummary {
  /** The store's name. */
  store: string;
  /** Its live facts. */
  factCount: number;
  /** Its keys with at least one live fact. */
  keyCount: number;
}

/** The input of `registerPath`. */
export interface PathInput {
  /** The store the path reads. */
  store: string;
  /** The scope's name; null or omitted for the store's point path. */
  scope?: string | null;
  /** Field equality on the latest value. */
  filters?: JsonObject;
  /** Maximum age in ms of a cached query answer of this path. */
  cacheTtl?: number;
  /** Called after each commit to the path (see `registerPath`). */
  consumers?: Consumer[];
  /** Metadata only (shown in `metadataSnapshot`). */
  lookup?: string;
}

/** A coercion: maps a raw value (and its schema version) to the value reads return. */
export type Coercion = (value: Json, schemaVersion: number) => Json;

/** The input of `timeTravel`. */
export interface TimeTravelInput {
  /** The store to read. */
  store: string;
  /** The key to read. */
  key: string;
  /** Read as known at this transaction time (inclusive). */
  at: Time;
}

/** A key of a store: the input of `causationChain` and `lineage`. */
export interface SubjectInput {
  /** The store. */
  store: string;
  /** The key. */
  key: string;
}

/** Inclusive transaction-time bounds: the input of `factLogAll`. */
export interface LogWindowInput {
  /** Only facts with transactionTime >= since. */
  since?: Time;
  /** Only facts with transactionTime <= asOf. */
  asOf?: Time;
}

/** An optional store filter: the input of `storageStats`, `segmentManifest`, `compactionReceipts` and `compactionActivity`. */
export interface StoreFilterInput {
  /** Only this store. */
  store?: string;
}

/** The input of `resolve`. */
export interface ResolveInput {
  /** The partition value whose related source keys are wanted. */
  from: Json;
  /** Resolve as known at this transaction time (inclusive). */
  asOf?: Time;
}
