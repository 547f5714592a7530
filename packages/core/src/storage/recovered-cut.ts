import * as fs from 'node:fs';
import type { CutReason, RecoveredCut } from '../backend.js';
import { AtomicFileWriter } from './atomic-file.js';
import { readFullySync } from './io.js';

const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Copies bytes `[from, size)` of `fd` (the file at `path`) crash-safely (temp file, fsync,
 * rename, directory fsync) to `target`, which must not exist. Throws the system error of a
 * failed read or write (nothing is left at `target` then). Cost: one copy of the range, two fsyncs.
 */
export function copyRangeTo(fd: number, from: number, size: number, target: string): void {
  const file = new AtomicFileWriter(target);
  try {
    const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, Math.max(1, size - from)));
    for (let at = from; at < size; ) {
      const n = readFullySync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (n === 0) break;
      file.write(chunk.subarray(0, n));
      at += n;
    }
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

/** A new side file name for bytes cut from `path`: `<path>.recovered-<ms>`, or `-<n>` added when taken. */
export function recoveredSidePath(path: string): string {
  const base = `${path}.recovered-${Date.now()}`;
  let candidate = base;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Before open cuts bytes `[from, size)` of the data file `path` (open as `fd`): copies them to
 * a new side file `<path>.recovered-<ms>`, emits the process warning `IGNITER_RECOVERED`, and
 * returns the report of the cut. Throws the system error of a failed copy (then nothing may be
 * cut). Cost: one copy of the range, two fsyncs.
 */
export function keepCutBytes(
  fd: number,
  path: string,
  from: number,
  size: number,
  lastIntactSeq: number,
  reason: CutReason,
): RecoveredCut {
  const sideFile = recoveredSidePath(path);
  copyRangeTo(fd, from, size, sideFile);
  return announceCut({ file: path, offset: from, bytes: size - from, sideFile, lastIntactSeq, reason });
}

/** Emits the `IGNITER_RECOVERED` warning of a cut whose bytes are kept, and returns it. */
export function announceCut(cut: RecoveredCut): RecoveredCut {
  process.emitWarning(
    `${cut.file}: cut ${cut.bytes} bytes at byte ${cut.offset} (${cut.reason}; last intact seq ${cut.lastIntactSeq}); the cut bytes are kept in ${cut.sideFile}`,
    { code: 'IGNITER_RECOVERED', detail: JSON.stringify(cut) },
  );
  return cut;
}
