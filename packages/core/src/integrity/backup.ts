import type { SnapshotMeta } from '../backend.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { loadOptional } from '../optional-package.js';
import type { BackupResult, BackupWritten, IntegrityHost } from './types.js';

/** The part of `@igniter/backend-file` an in-memory backup uses. */
interface FileBackendPackage {
  writeBackupLog(destPath: string, facts: readonly Fact[], meta: SnapshotMeta): Promise<BackupWritten>;
}

/**
 * `store.backup(destPath)`: captures the live facts and `lastSeq` synchronously (facts are
 * immutable, so later writes, prunes and compactions do not reach the copy), then has the
 * backend write them (`backup`), or, in memory or with a backend that cannot, writes a
 * file-backend log with `@igniter/backend-file`. Rejects with `ERR_INVALID_ARGUMENT` for a bad
 * or non-empty destination, `ERR_MISSING_PACKAGE` when the file backend package is needed and
 * missing, and system errors. Cost: materialising every live fact at the call, then one encode
 * and write of each, in chunks between which the event loop runs.
 */
export async function backupStore(host: IntegrityHost, destPath: unknown): Promise<BackupResult> {
  if (typeof destPath !== 'string' || destPath.length === 0) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'backup needs a destination path (a non-empty string)');
  }
  const engine = host.internalEngine;
  const facts = engine.all();
  const meta: SnapshotMeta = { lastSeq: engine.lastSeq() };
  const backend = host.internalBackend;
  const written = backend?.backup
    ? await backend.backup(destPath, facts, meta)
    : await loadOptional<FileBackendPackage>('@igniter/backend-file').writeBackupLog(destPath, facts, meta);
  return { path: written.path, seq: meta.lastSeq, factCount: facts.length, bytes: written.bytes };
}
