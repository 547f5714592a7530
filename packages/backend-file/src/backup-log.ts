import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type BackupWritten, checkInput, type Fact, fieldsOf, type SnapshotMeta } from '@igniter/core';
import {
  acquireWriterLock,
  DEFAULT_FACT_CODEC,
  DEFAULT_MAX_FRAME_BYTES,
  yieldToEventLoop,
} from '@igniter/core/storage';
import { badArgument } from './errors.js';
import { SnapshotFileWriter } from './snapshot-file.js';
import { createWal } from './wal-file.js';

/** Options of {@link writeBackupLog}. */
export interface BackupLogOptions {
  /** Largest frame body written, in bytes (default 64 MiB). */
  maxFrameBytes?: number;
}

const OPTION_FIELDS = fieldsOf<BackupLogOptions>({ maxFrameBytes: true });
const FACTS_PER_TURN = 1024;
const BYTES_PER_TURN = 1024 * 1024;

function sizeOf(path: string): number | undefined {
  try {
    const stat = fs.statSync(path);
    if (stat.isDirectory()) throw badArgument(`backup destination ${path} is a directory; name a log file`);
    return stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refuseNonEmpty(path: string): void {
  if ((sizeOf(path) ?? 0) > 0) throw badArgument(`backup destination ${path} exists and is not empty`);
  if (sizeOf(`${path}.snapshot`) !== undefined) {
    throw badArgument(`backup destination ${path} has a snapshot file ${path}.snapshot; remove it first`);
  }
}

/**
 * Writes `facts` (every live fact of a store, seq order) as a new file-backend log at
 * `destPath` that continues above `meta.lastSeq`: the snapshot `<destPath>.snapshot`, then an
 * empty log `<destPath>`, each crash-safely (temp file, fsync, rename, directory fsync). The log
 * is written last, so an interrupted backup leaves no log (opening it fails with
 * `ERR_CORRUPT_LOG`, never an empty or partial store). Holds the destination's writer lock
 * meanwhile and yields to the event loop every 1024 facts or 1 MiB. Open the copy with
 * `openFileStore(destPath)`.
 * Rejects with `ERR_INVALID_ARGUMENT` when `destPath` is a directory, a non-empty file or has a
 * snapshot file beside it, for an unknown option, or when the facts are out of order or above
 * `lastSeq`; `ERR_LOCKED` when a store has the destination open; `ERR_VALUE_TOO_LARGE`; and
 * system errors (nothing is left at the destination then). Cost: one encode and write of every fact, four fsyncs.
 *
 * @example
 * const { path, bytes } = await writeBackupLog('./backup/app.log', facts, { lastSeq: 42 });
 */
export async function writeBackupLog(
  destPath: string,
  facts: readonly Fact[],
  meta: SnapshotMeta,
  options: BackupLogOptions = {},
): Promise<BackupWritten> {
  if (typeof destPath !== 'string' || destPath.length === 0)
    throw badArgument('destPath must be a non-empty string');
  if (!Array.isArray(facts)) throw badArgument('facts must be an array');
  checkInput(options, 'writeBackupLog options', OPTION_FIELDS);
  const lastSeq = meta?.lastSeq;
  if (!Number.isSafeInteger(lastSeq) || lastSeq < 0)
    throw badArgument('meta.lastSeq must be an integer >= 0');
  const path = resolve(destPath);
  refuseNonEmpty(path);
  fs.mkdirSync(dirname(path), { recursive: true });
  const lock = acquireWriterLock(path);
  try {
    // Checked again under the lock: nothing else can create the log from here on.
    refuseNonEmpty(path);
    const codec = DEFAULT_FACT_CODEC;
    const snapshotPath = `${path}.snapshot`;
    const snapshot = new SnapshotFileWriter(
      snapshotPath,
      lastSeq,
      facts.length,
      codec,
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    );
    let snapshotBytes: number;
    try {
      let turnStart = snapshot.size;
      for (let i = 0; i < facts.length; i++) {
        snapshot.add(facts[i] as Fact);
        if ((i + 1) % FACTS_PER_TURN === 0 || snapshot.size - turnStart >= BYTES_PER_TURN) {
          await yieldToEventLoop();
          turnStart = snapshot.size;
        }
      }
      snapshotBytes = snapshot.commit().size;
    } catch (error) {
      snapshot.abort();
      throw error;
    }
    try {
      createWal(path, lastSeq, codec);
    } catch (error) {
      fs.rmSync(snapshotPath, { force: true });
      throw error;
    }
    return { path, bytes: snapshotBytes + fs.statSync(path).size };
  } finally {
    lock.release();
  }
}
