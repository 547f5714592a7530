import { fieldsOf } from './args.js';
import type { PurgeInput, PurgeReceiptsInput } from './backend.js';
import type { ChangefeedOptions, SubscribeOptions } from './changefeed.js';
import type { PruneInput, RetentionPolicy } from './lifecycle/types.js';
import type {
  DerivationInput,
  ProjectionInput,
  RebuildOptions,
  RelationInput,
  ScatterInput,
} from './rules/types.js';
import type {
  AppendEventInput,
  HistoryInput,
  HistoryPartitionInput,
  KeysInput,
  LogWindowInput,
  PathInput,
  QueryInput,
  ReadFactInput,
  ReadInput,
  ResolveInput,
  StoreFilterInput,
  StoreOptions,
  SubjectInput,
  TimeTravelInput,
  WriteInput,
} from './store-types.js';

// The fields every input and options object of the store may carry (v1: an unknown field is
// ERR_INVALID_ARGUMENT). Each list is checked by the compiler against its interface, so a field
// added to an input type fails the build until it is listed here as well.

/** `new IgniterStore(options)`. */
export const STORE_OPTION_FIELDS = fieldsOf<StoreOptions>({
  backend: true,
  lruCap: true,
  changefeed: true,
  engine: true,
  clock: true,
  onRuleError: true,
  onRecover: true,
  maxValueBytes: true,
});

/** `write` and every item of `writeMany`. */
export const WRITE_FIELDS = fieldsOf<WriteInput>({
  store: true,
  key: true,
  value: true,
  schemaVersion: true,
  causation: true,
  validTime: true,
  producer: true,
  derivation: true,
  expect: true,
  idempotencyKey: true,
});

/** `append`. */
export const APPEND_FIELDS = fieldsOf<AppendEventInput>({
  history: true,
  event: true,
  schemaVersion: true,
  validTime: true,
  partitionKey: true,
  producer: true,
  derivation: true,
  idempotencyKey: true,
});

/** `read`. */
export const READ_FIELDS = fieldsOf<ReadInput>({
  store: true,
  key: true,
  asOf: true,
  validAt: true,
  ttl: true,
});

/** `timeTravel`. */
export const TIME_TRAVEL_FIELDS = fieldsOf<TimeTravelInput>({ store: true, key: true, at: true });

/** `history`. */
export const HISTORY_FIELDS = fieldsOf<HistoryInput>({
  store: true,
  key: true,
  since: true,
  asOf: true,
  validAt: true,
});

/** `historyPartition`. */
export const HISTORY_PARTITION_FIELDS = fieldsOf<HistoryPartitionInput>({
  store: true,
  partitionKey: true,
  partitionValue: true,
  since: true,
  asOf: true,
});

/** `readFact`. */
export const READ_FACT_FIELDS = fieldsOf<ReadFactInput>({
  store: true,
  key: true,
  asOf: true,
  validAt: true,
});

/** `query`. */
export const QUERY_FIELDS = fieldsOf<QueryInput>({
  store: true,
  scope: true,
  where: true,
  asOf: true,
  validAt: true,
  limit: true,
  after: true,
  ttl: true,
});

/** `keys`. */
export const KEYS_FIELDS = fieldsOf<KeysInput>({ store: true, prefix: true, after: true, limit: true });

/** `factLogAll`. */
export const LOG_WINDOW_FIELDS = fieldsOf<LogWindowInput>({ since: true, asOf: true });

/** `causationChain` and `lineage`. */
export const SUBJECT_FIELDS = fieldsOf<SubjectInput>({ store: true, key: true });

/** `storageStats`, `segmentManifest`, `compactionReceipts`, `compactionActivity`. */
export const STORE_FILTER_FIELDS = fieldsOf<StoreFilterInput>({ store: true });

/** `registerPath`. */
export const PATH_FIELDS = fieldsOf<PathInput>({
  store: true,
  scope: true,
  filters: true,
  cacheTtl: true,
  consumers: true,
  lookup: true,
});

/** `registerDerivation`. */
export const DERIVATION_FIELDS = fieldsOf<DerivationInput>({
  name: true,
  onError: true,
  backfill: true,
  sourceStore: true,
  sourceFilters: true,
  targetStore: true,
  targetKey: true,
  rule: true,
});

/** `registerScatter`. */
export const SCATTER_FIELDS = fieldsOf<ScatterInput>({
  name: true,
  onError: true,
  backfill: true,
  sourceStore: true,
  partitionBy: true,
  targetStore: true,
  rule: true,
});

/** `registerRelation`. */
export const RELATION_FIELDS = fieldsOf<RelationInput>({ source: true, partition: true, target: true });

/** `resolve`. */
export const RESOLVE_FIELDS = fieldsOf<ResolveInput>({ from: true, asOf: true });

/** `registerProjection`. */
export const PROJECTION_FIELDS = fieldsOf<ProjectionInput>({
  name: true,
  onError: true,
  backfill: true,
  reads: true,
  relations: true,
  consumerHint: true,
  reactive: true,
  targetStore: true,
  targetKey: true,
  rule: true,
});

/** `waitForSeq` options. */
export const WAIT_FOR_SEQ_FIELDS = fieldsOf<{ timeoutMs?: number }>({ timeoutMs: true });

/** `rebuild` options. */
export const REBUILD_FIELDS = fieldsOf<RebuildOptions>({ into: true });

/** `setRetention`. */
export const RETENTION_FIELDS = fieldsOf<RetentionPolicy>({ strategy: true, duration: true });

/** `pruneFactIds`. */
export const PRUNE_FIELDS = fieldsOf<PruneInput>({
  factIds: true,
  reason: true,
  metadata: true,
  receiptStore: true,
});

/** `new Changefeed(options)`. */
export const CHANGEFEED_FIELDS = fieldsOf<ChangefeedOptions>({
  capacity: true,
  queueLimit: true,
  overflow: true,
});

/** `changefeed.subscribe(options)`. */
export const SUBSCRIBE_FIELDS = fieldsOf<SubscribeOptions>({ stores: true, after: true });

/** A backend's `purge`. */
export const PURGE_FIELDS = fieldsOf<PurgeInput>({ store: true, before: true, segments: true, reason: true });

/** A backend's `purgeReceipts`. */
export const PURGE_RECEIPTS_FIELDS = fieldsOf<PurgeReceiptsInput>({ store: true, since: true, limit: true });
