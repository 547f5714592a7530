import type { JsonObject } from '@igniter/core';
import {
  decodeMetaFrame,
  type FrameProblem,
  type FrameScan,
  HEADER_BYTES,
  scanFrameFile,
} from '@igniter/core/storage';

/** Read size of the metadata record's scan (the scan grows it for a larger record). */
const META_CHUNK_BYTES = 64 * 1024;

/** A data file's metadata record as {@link readMetaRecord} found it. */
export type MetaRecord<T> =
  /** The record, read by `parse`; facts start at `end`. */
  | { kind: 'meta'; value: T; end: number }
  /** The file holds no frame after its header. */
  | { kind: 'none' }
  /** The first frame is damaged, or `parse` rejected it (`problem`). */
  | { kind: 'damaged'; scan: FrameScan; problem: FrameProblem | undefined };

/**
 * Reads the metadata record (the first frame after the header) of the data file open as `fd`,
 * a record of `type` read by `parse` (which throws for a bad field). Throws only the system
 * error of a failed read. Cost: one small read.
 */
export function readMetaRecord<T>(
  fd: number,
  maxFrameBytes: number,
  type: string,
  parse: (meta: JsonObject) => T,
): MetaRecord<T> {
  let found: { value: T; end: number } | undefined;
  let problem: FrameProblem | undefined;
  const scan = scanFrameFile(fd, {
    start: HEADER_BYTES,
    maxFrameBytes,
    chunkBytes: META_CHUNK_BYTES,
    onFrame(buf, bodyStart, bodyEnd, offset) {
      try {
        const value = parse(decodeMetaFrame(buf, bodyStart, bodyEnd, type));
        found = { value, end: offset + bodyEnd - bodyStart + 8 };
        // Stop after the record: the facts are the fact reader's.
        return false;
      } catch (error) {
        problem = { why: error instanceof Error ? error.message : String(error), cause: error };
        return false;
      }
    },
  });
  if (found) return { kind: 'meta', ...found };
  if (scan.damage) return { kind: 'damaged', scan, problem };
  return { kind: 'none' };
}
