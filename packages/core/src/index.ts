export {
  checkInput,
  type FieldList,
  fieldsOf,
  type InputFields,
  MAX_TIME_MS,
  type Time,
  toMs,
} from './args.js';
export type {
  Backend,
  CutReason,
  PurgedRange,
  PurgeInput,
  PurgeReceipt,
  PurgeReceiptsInput,
  RecoveredCut,
  SegmentInfo,
  SegmentManifest,
  SnapshotMeta,
  StorageStats,
  StoreLink,
  StoreRole,
} from './backend.js';
export { PartialWriteError } from './backend.js';
export type { ChangeEvent, ChangeSink, CommitKind, CommittedLogReader } from './change-event.js';
export {
  Changefeed,
  type ChangefeedOptions,
  type ChangefeedStats,
  type SubscribeOptions,
} from './changefeed.js';
export type {
  ChangeSubscription,
  OverflowPolicy,
  SubscriptionState,
  SubscriptionStats,
} from './changefeed-subscription.js';
export type { CommittedLog } from './committed-log.js';
export { type EngineChoice, type EngineInfo, engineInfo } from './engine/select.js';
export type { EngineKind, LazyFacts, NativePreload, PreloadedFacts } from './engine/types.js';
export { IgniterError, type IgniterErrorCode, type IgniterErrorOptions } from './errors.js';
export type { Fact, FactRef } from './fact.js';
export type {
  BackupResult,
  BackupWritten,
  StoredEntry,
  VerifyProblem,
  VerifyProblemKind,
  VerifyResult,
} from './integrity/types.js';
export type { Json, JsonObject } from './json.js';
export type {
  CompactionActivity,
  CompactionResult,
  PruneInput,
  PruneResult,
  RetentionPolicy,
  RetentionStrategy,
} from './lifecycle/types.js';
export type { CausationStep, DerivedBy, Lineage, LineageEntry } from './lineage.js';
export { type OptionalPackageName, provideOptionalPackage } from './optional-package.js';
export {
  DESCRIPTOR_STORE,
  type ProtocolInterpreter,
  type ProtocolReceipt,
} from './protocol-interpreter.js';
export type {
  DeadLetter,
  DerivationInput,
  ProjectionInput,
  RebuildOptions,
  RebuildResult,
  RelationIndexValue,
  RelationInput,
  RuleErrorPolicy,
  RuleFailure,
  RuleKind,
  RuleOptions,
  RuleState,
  RuleStatus,
  ScatterInput,
} from './rules/types.js';
export {
  type AccessPath,
  type Consumer,
  type ConsumerEvent,
  type DerivationInfo,
  type PathSnapshot,
  type Projection,
  type ProjectionSnapshot,
  type RelationInfo,
  type ScatterInfo,
  SchemaGraph,
} from './schema-graph.js';
export { IgniterStore } from './store.js';
export type {
  AppendEventInput,
  Coercion,
  Expectation,
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
  StoreSummary,
  SubjectInput,
  TimeTravelInput,
  WriteInput,
} from './store-types.js';
export { canonicalJson, valueHash } from './values.js';
export type { CommitListener } from './write-path.js';
