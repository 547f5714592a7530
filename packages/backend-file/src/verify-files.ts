import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StoredEntry, VerifyProblem } from '@igniter/core';
import { FileKind, inspectDataFile, metaCount } from '@igniter/core/storage';

/** A data file opened for a verification pass, with its size at that moment. */
interface OpenedFile {
  path: string;
  fd: number;
  size: number;
}

function openIfPresent(path: string): OpenedFile | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { path, fd, size: fs.fstatSync(fd).size };
}

function frameProblem(file: string, message: string, offset?: number): { problem: VerifyProblem } {
  return {
    problem:
      offset === undefined ? { kind: 'frame', file, message } : { kind: 'frame', file, offset, message },
  };
}

/**
 * Side files beside the log: bytes a repair moved out of it (`.quarantine-<n>`) and bytes open
 * cut (`.recovered-<ms>`, of the log or the snapshot). They are not part of the store.
 */
function quarantineFiles(path: string): string[] {
  const name = basename(path);
  const prefixes = [`${name}.quarantine-`, `${name}.recovered-`, `${name}.snapshot.recovered-`];
  return fs
    .readdirSync(dirname(path))
    .filter((entry) => prefixes.some((prefix) => entry.startsWith(prefix)))
    .sort()
    .map((entry) => join(dirname(path), entry));
}

/**
 * Opens the log `path` and its snapshot for a read-only verification pass and returns the pass:
 * an async iterable of the facts a reopen would load (snapshot facts, then log facts above the
 * snapshot's seq) with their file and offset, and of every problem of the files: damaged or
 * torn frames, unreadable headers and records, a snapshot holding another count of facts than
 * it declares, a log that continues a missing or older snapshot, and quarantine files (bytes
 * that a repair moved aside: not part of the store, and not erased by prunes). Both files are
 * opened here, together, so the pass sees one consistent pair even if a compaction replaces
 * them meanwhile; bytes appended later are not read. Never writes, truncates or repairs.
 * Throws the system error of a failed open. Cost: one read and decode of both files, with the
 * event loop running between chunks.
 */
export function verifyLogFiles(path: string, maxFrameBytes: number): AsyncIterable<StoredEntry> {
  const snapshot = openIfPresent(`${path}.snapshot`);
  let wal: OpenedFile | undefined;
  try {
    wal = openIfPresent(path);
  } catch (error) {
    if (snapshot) fs.closeSync(snapshot.fd);
    throw error;
  }
  const quarantined = quarantineFiles(path);
  return readPass(path, snapshot, wal, quarantined, maxFrameBytes);
}

async function* readPass(
  path: string,
  snapshot: OpenedFile | undefined,
  wal: OpenedFile | undefined,
  quarantined: readonly string[],
  maxFrameBytes: number,
): AsyncGenerator<StoredEntry> {
  try {
    let snapshotSeq: number | null = null;
    if (snapshot) {
      let declared: number | undefined;
      let held = 0;
      for await (const entry of inspectDataFile({
        ...snapshot,
        kind: FileKind.snapshot,
        metaType: 'snapshot',
        maxFrameBytes,
      })) {
        if (entry.kind === 'damage') yield frameProblem(snapshot.path, entry.message, entry.offset);
        else if (entry.kind === 'fact') {
          held += 1;
          yield { fact: entry.fact, file: snapshot.path, offset: entry.offset };
        } else {
          try {
            snapshotSeq = metaCount(entry.meta, 'lastSeq');
            declared = metaCount(entry.meta, 'factCount');
          } catch (error) {
            yield frameProblem(snapshot.path, `${snapshot.path}: ${(error as Error).message}`, entry.offset);
          }
        }
      }
      if (declared !== undefined && declared !== held) {
        yield {
          problem: {
            kind: 'seq',
            file: snapshot.path,
            message: `${snapshot.path}: the snapshot declares ${declared} facts but holds ${held} intact ones`,
          },
        };
      }
    }
    if (!wal) {
      yield frameProblem(path, `${path}: the log file is missing`);
    } else {
      for await (const entry of inspectDataFile({
        ...wal,
        kind: FileKind.wal,
        metaType: 'wal',
        maxFrameBytes,
      })) {
        if (entry.kind === 'damage') yield frameProblem(wal.path, entry.message, entry.offset);
        else if (entry.kind === 'fact') {
          // As at open: facts up to the snapshot's seq are in the snapshot (or were dropped).
          if (snapshotSeq === null || entry.fact.seq > snapshotSeq) {
            yield { fact: entry.fact, file: wal.path, offset: entry.offset };
          }
        } else {
          let baseSeq: number;
          try {
            baseSeq = metaCount(entry.meta, 'baseSeq');
          } catch (error) {
            yield frameProblem(wal.path, `${wal.path}: ${(error as Error).message}`, entry.offset);
            continue;
          }
          if (baseSeq > (snapshotSeq ?? 0)) {
            yield {
              problem: {
                kind: 'seq',
                file: wal.path,
                message: `${wal.path}: the log continues a snapshot at seq ${baseSeq}, but ${
                  snapshot ? `the snapshot is at seq ${snapshotSeq ?? 'unknown'}` : 'there is no snapshot'
                }: facts up to it are missing`,
              },
            };
          }
        }
      }
    }
    for (const file of quarantined) {
      yield frameProblem(
        file,
        file.includes('.recovered-', dirname(path).length)
          ? `${file}: bytes that open cut from the store's files (see storageStats().recovered); they are not part of the store and prunes do not erase them: inspect, then delete the file`
          : `${file}: bytes that a repair moved out of the log; they are not part of the store and prunes do not erase them: inspect, then delete the file`,
      );
    }
  } finally {
    if (snapshot) fs.closeSync(snapshot.fd);
    if (wal) fs.closeSync(wal.fd);
  }
}
