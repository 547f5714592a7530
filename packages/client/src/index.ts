export type {
  BackupResult,
  ChangeEvent,
  CommitKind,
  CompactionResult,
  Fact,
  FactRef,
  Json,
  JsonObject,
  Lineage,
  RebuildResult,
  RuleStatus,
  StoreSummary,
  Time,
  VerifyResult,
} from '@igniter/core';
export { IgniterError, type IgniterErrorCode } from '@igniter/core/errors';
export type { Backoff } from './backoff.js';
export type { ChangeStream, SubscribeOptions } from './change-stream.js';
export { createClient, type IgniterClient } from './client.js';
export type { ClientOptions } from './client-options.js';
export type { FetchFunction } from './http.js';
export type {
  ClientAppendInput,
  ClientHistoryInput,
  ClientKeysInput,
  ClientQueryInput,
  ClientReadInput,
  ClientWriteInput,
  ReplayInput,
} from './inputs.js';
export type {
  CheckpointResult,
  DispatchRequest,
  DispatchResponse,
  KeysPage,
  PromoteResult,
  QueryPage,
  ReplayPage,
  ServerHealth,
} from './wire-types.js';
