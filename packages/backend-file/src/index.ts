/**
 * `@igniter/backend-file`: a crash-safe write-ahead log with group commit, snapshots and a
 * single-writer lock, for `@igniter/core` (ARCHITECTURE.md D8).
 */

import { provideOptionalPackage } from '@igniter/core';
import { writeBackupLog } from './backup-log.js';
import { FileBackend } from './file-backend.js';

// What IgniterStore.open(path) and the backup of a store without a file backend take from here.
provideOptionalPackage('@igniter/backend-file', { FileBackend, writeBackupLog });

export type { DurabilityStatus } from '@igniter/core/storage';
export { type BackupLogOptions, writeBackupLog } from './backup-log.js';
export { FileBackend } from './file-backend.js';
export { FileFollower, type FileFollowerOptions, followFileStore } from './file-follower.js';
export { type FileStoreOptions, openFileStore } from './open-file-store.js';
export type { RecoveryReport } from './open-log-files.js';
export { type Durability, FILE_BACKEND_OPTION_KEYS, type FileBackendOptions } from './options.js';
