import * as fs from 'node:fs';
import type { JsonObject } from '@igniter/core';
import {
  AtomicFileWriter,
  decodeMetaFrame,
  encodeHeader,
  encodeMetaFrame,
  FileKind,
  HEADER_BYTES,
  inconsistentLog,
  probeFrame,
  readHeader,
} from '@igniter/core/storage';

/** Body codec number of record files: one JSON metadata record. */
const RECORD_CODEC = 0;
const RECORD_CODECS: ReadonlySet<number> = new Set([RECORD_CODEC]);
// The catalog lists every segment of every store (some 40 bytes each).
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Writes a record file (the data-file header, then one CRC-framed JSON record) crash-safely:
 * temp file, fsync, rename over `path`, directory fsync. A crash leaves the old file or the new
 * one. Throws the system error of a failed write (the old file stays). Cost: two fsyncs.
 */
export function writeRecordFile(path: string, record: JsonObject & { type: string }): void {
  const file = new AtomicFileWriter(path);
  try {
    file.write(encodeHeader(FileKind.record, RECORD_CODEC));
    file.write(encodeMetaFrame(record));
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

/**
 * Reads the record of type `type` from the record file at `path` and parses it with `parse`,
 * or returns undefined when the file does not exist. Record files are renamed into place whole,
 * so any damage is corruption. Throws `ERR_UNSUPPORTED_FORMAT` for a file that is not an
 * Igniter record file and `ERR_CORRUPT_LOG` (naming the file) for a damaged or malformed one.
 * Cost: one small read.
 */
export function readRecordFile<T>(
  path: string,
  type: string,
  parse: (record: JsonObject) => T,
): T | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  readHeader(bytes, path, FileKind.record, RECORD_CODECS);
  const probe = probeFrame(bytes, HEADER_BYTES, MAX_RECORD_BYTES);
  if (probe.kind !== 'frame' || probe.next !== bytes.length) {
    throw inconsistentLog(
      path,
      `the record at byte ${HEADER_BYTES} is damaged (${probe.kind})`,
      HEADER_BYTES,
    );
  }
  try {
    return parse(decodeMetaFrame(bytes, probe.bodyStart, probe.bodyEnd, type));
  } catch (error) {
    throw inconsistentLog(path, error instanceof Error ? error.message : String(error), HEADER_BYTES);
  }
}
