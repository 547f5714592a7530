/**
 * `@igniter/backend-segmented`: per-store segment files with rotation, manifests, time-filtered
 * replay, purge receipts and durable compaction, for `@igniter/core` (ARCHITECTURE.md D8).
 */

export type { Durability, DurabilityStatus } from '@igniter/core/storage';
export { storeFolderName } from './layout.js';
export type { SegmentedFileBackendOptions } from './options.js';
export type { SegmentedRecoveryReport } from './recovery-report.js';
export { SegmentedFileBackend } from './segmented-backend.js';
