/**
 * `@igniter/protocol`: the Open Protocol over an `IgniterStore`. Descriptors with receipts, fact
 * IO, queries, seq-cursored replay and snapshots in wire form (`Interpreter`), the request and
 * response envelope (`dispatch`), and the frame codec every transport shares.
 */
import { provideOptionalPackage } from '@igniter/core';
import { Interpreter } from './interpreter.js';

// What store.protocol() takes from here.
provideOptionalPackage('@igniter/protocol', { Interpreter });

export { decodeFrames, encodeFrame } from '@igniter/core/storage';
export { DESCRIPTOR_STORE } from './descriptors/descriptor-log.js';
export { DESCRIPTOR_KINDS, type Normalised, normaliseDescriptor } from './descriptors/normalise.js';
export { type DispatchOptions, dispatch } from './dispatch.js';
export type {
  ErrorResponse,
  OkResponse,
  ProtocolErrorCode,
  Request,
  RequestId,
  Response,
} from './envelope.js';
export { Interpreter, type InterpreterOptions } from './interpreter.js';
export { LIMITS } from './limits.js';
export type { RegisterOptions } from './ops/register.js';
export {
  type AccessPathPacket,
  type Alert,
  type AppendPacket,
  type CausationChainResult,
  type CausationStepPacket,
  type CompactionActivityPacket,
  type CompactionActivityResult,
  type CompactionEntry,
  type CompactionKind,
  type Description,
  type Descriptor,
  type DescriptorKind,
  type DescriptorPacket,
  type DescriptorSnapshot,
  type ExpectPacket,
  type FactInputPacket,
  type FactPacket,
  type FactRefPacket,
  type FactRefResult,
  type ItemsResult,
  type KeyedValue,
  type KeysPacket,
  type KeysResult,
  type LineageEntryPacket,
  type LineageResult,
  type MetadataSnapshot,
  type ObservabilitySnapshot,
  PROTOCOL,
  type QueryOrder,
  type QueryPacket,
  type QueryResult,
  type ReadFactPacket,
  type ReadFactResult,
  type ReadPacket,
  type ReadResult,
  type RebuildPacket,
  type RebuildResultPacket,
  type Receipt,
  type ReceiptStatus,
  type ReplayFilter,
  type ReplayPacket,
  type ReplayResult,
  type ResolvePacket,
  type RetentionPacket,
  type RuleNamePacket,
  type RuleStatusPacket,
  type RuleStatusResult,
  SCHEMA_VERSION,
  type SegmentManifestPacket,
  type StorageStatsPacket,
  type StoreFilterPacket,
  type StoreSummaryPacket,
  type StoresPacket,
  type StoresResult,
  type SubjectPacket,
  type SyncHubProfile,
  type SyncPacket,
  type WritePacket,
} from './wire-types.js';
