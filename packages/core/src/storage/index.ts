/**
 * Building blocks of Igniter's durable backends (`@igniter/core/storage`): CRC-32, frames,
 * file headers, the fact body codec, the single-writer lock, crash-safe file rewrites, the
 * group-commit frame writer and the recovery rules for damaged frame files.
 * Nothing here is specific to one backend.
 */

export { type FactParts, factParts, PreloadedFactLoader } from '../engine/preloaded-fact-loader.js';
export type { CopyOutLoad } from '../engine/preloaded-log.js';
export type { Engine } from '../engine/types.js';
/** The fields of a backend's `replay(opts)` and of its `{ store? }` filters (any other is ERR_INVALID_ARGUMENT). */
export {
  LOG_WINDOW_FIELDS,
  PURGE_FIELDS,
  PURGE_RECEIPTS_FIELDS,
  STORE_FILTER_FIELDS,
  STORE_OPTION_FIELDS,
} from '../input-fields.js';
export { deepFreeze } from '../json.js';
export { appendFrame, appendFrames } from './append-frame.js';
export { AtomicFileWriter, removeStaleTempFiles, tempPathFor } from './atomic-file.js';
export {
  BATCH_MARKER_FRAME_BYTES,
  type BatchMarker,
  type BatchSpan,
  batchBytes,
  batchIsWhole,
  batchPartBytes,
  encodeBatchMarker,
  markerFrameBytes,
  PART_MARKER_FRAME_BYTES,
  readBatchMarker,
} from './batch-marker.js';
export {
  buildCheckpointImage,
  type ImageSources,
  imagePathFor,
  sealCheckpointImage,
} from './checkpoint-image.js';
export { crc32, crc32Table } from './crc32.js';
export { checkDataPath, type DataPathKind } from './data-path.js';
export type { StoreCount } from './deferred-facts.js';
export { DEFAULT_FACT_CODEC, FACT_CODECS, type FactCodec, jsonFactCodec } from './fact-codec.js';
export {
  decodingFactReader,
  type FactReader,
  type FrameProblem,
  type FrameRange,
  type FramesRead,
  factReaderFor,
  type ImageRead,
  type OpenImageTarget,
} from './fact-reader.js';
export { factShapeProblem } from './fact-shape.js';
export { canonicalPath } from './file-identity.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  decodeFrames,
  encodeFrame,
  encodeTextFrame,
  FRAME_OVERHEAD,
  type FrameProbe,
  probeFrame,
} from './frame.js';
export {
  brokenBatch,
  type FrameDamage,
  type FrameDamageReason,
  type FrameScan,
  type FrameScanOptions,
  findNextFrame,
  scanFrameFile,
} from './frame-file.js';
export {
  checkDurabilityOptions,
  type Durability,
  type DurabilityStatus,
  GroupCommitWriter,
} from './group-commit-writer.js';
export {
  encodeHeader,
  FILE_MAGIC,
  type FileHeader,
  FileKind,
  FORMAT_VERSION,
  formatVersionFor,
  HEADER_BYTES,
  isHeaderPrefix,
  raiseHeaderVersion,
  readHeader,
} from './header.js';
export { type DataFileEntry, type InspectOptions, inspectDataFile } from './inspect-file.js';
export { fsyncDirectory, readFullySync, writeAllSync } from './io.js';
export { KeyTable } from './key-table.js';
export { acquireWriterLock, type WriterLock, type WriterLockOptions } from './lock.js';
export { decodeMetaFrame, encodeMetaFrame, metaCount } from './meta-frame.js';
export { type NativeWalOptions, NativeWalWriter } from './native-wal-writer.js';
export { announceCut, copyRangeTo, keepCutBytes, recoveredSidePath } from './recovered-cut.js';
export {
  corruptLog,
  inconsistentLog,
  quarantineRange,
  type SettledDamage,
  settleFrameDamage,
} from './recovery.js';
export { factValueJson } from './value-json.js';
export { yieldToEventLoop } from './yield.js';
