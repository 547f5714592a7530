import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import type { JsonObject } from '../json.js';
import { batchIsWhole, markerFrameBytes, readBatchMarker } from './batch-marker.js';
import { FACT_CODECS, type FactCodec } from './fact-codec.js';
import { FRAME_OVERHEAD, probeFrame } from './frame.js';
import { brokenBatch, findNextFrame } from './frame-file.js';
import { type FileKind, HEADER_BYTES, readHeader } from './header.js';
import { readFullySync } from './io.js';
import { decodeMetaFrame } from './meta-frame.js';
import { yieldToEventLoop } from './yield.js';

/** One thing a read-only inspection of a data file found, in file order. */
export type DataFileEntry =
  /** The file's metadata record (its first frame). */
  | { kind: 'meta'; meta: JsonObject; offset: number }
  /** A fact in an intact frame starting at `offset`. */
  | { kind: 'fact'; fact: Fact; offset: number }
  /** A header, frame or body that cannot be read; `offset` is where it starts. */
  | { kind: 'damage'; offset: number; message: string };

/** Options of {@link inspectDataFile}. */
export interface InspectOptions {
  /** The file, open for reading (the caller closes it). */
  fd: number;
  /** Its name in messages. */
  path: string;
  /** Bytes to inspect (the size when it was opened: later appends are left out). */
  size: number;
  /** The file kind its header must name. */
  kind: FileKind;
  /** The `type` its metadata record must have. */
  metaType: string;
  maxFrameBytes: number;
  /** Read size (default 1 MiB); the event loop runs between reads. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

function why(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a data file (header, metadata record, fact frames) without ever writing to it, yielding
 * what it finds in file order. Unlike the recovery at open, it does not stop at damage: after a
 * damaged frame it resumes at the next intact one, so one pass reports every damaged range; a
 * damaged range with nothing intact after it is a torn tail. Never throws for damaged data (only
 * the system error of a failed read). Cost: one read, CRC pass and decode of the file, yielding
 * to the event loop after every chunk; after damage, a search of the rest for an intact frame.
 */
export async function* inspectDataFile(options: InspectOptions): AsyncGenerator<DataFileEntry> {
  const { fd, path, size, maxFrameBytes } = options;
  const head = Buffer.alloc(HEADER_BYTES);
  const headBytes = readFullySync(fd, head, 0, Math.min(HEADER_BYTES, size), 0);
  let codec: FactCodec;
  try {
    const header = readHeader(head.subarray(0, headBytes), path, options.kind, new Set(FACT_CODECS.keys()));
    codec = FACT_CODECS.get(header.codec) as FactCodec;
  } catch (error) {
    yield { kind: 'damage', offset: 0, message: why(error) };
    return;
  }
  let chunk = Buffer.allocUnsafe(options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  let metaRead = false;
  let at = HEADER_BYTES;
  while (at < size) {
    const filled = readFullySync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (filled === 0) {
      yield {
        kind: 'damage',
        offset: at,
        message: `${path}: the file ends at byte ${at}, before its size ${size}`,
      };
      return;
    }
    let pos = 0;
    let resumeAt: number | null | undefined;
    while (pos < filled && resumeAt === undefined) {
      const offset = at + pos;
      const probe = probeFrame(chunk, pos, maxFrameBytes, filled);
      if (probe.kind === 'incomplete') {
        const needed = probe.needed ?? FRAME_OVERHEAD;
        if (offset + needed <= size && (pos > 0 || needed > chunk.length)) {
          // The frame continues past this chunk: read again from its start.
          if (needed > chunk.length) chunk = Buffer.allocUnsafe(needed);
          break;
        }
        // A length damaged to point past the end looks like a torn tail unless intact frames follow.
        resumeAt = findNextFrame(fd, offset + 1, size, maxFrameBytes);
        metaRead = true;
        yield {
          kind: 'damage',
          offset,
          message:
            resumeAt === null
              ? `${path}: torn tail: the file ends inside the frame at byte ${offset} (${size - offset} bytes)`
              : `${path}: the frame at byte ${offset} runs past the end of the file; the next intact frame is at byte ${resumeAt}`,
        };
        if (resumeAt === null) return;
        continue;
      }
      if (probe.kind !== 'frame' || probe.bodyEnd === probe.bodyStart) {
        const what =
          probe.kind === 'too-large'
            ? `declares ${probe.length} bytes, over maxFrameBytes ${maxFrameBytes}`
            : probe.kind === 'bad-crc'
              ? 'fails its CRC-32 check'
              : 'is empty (zero length)';
        resumeAt = findNextFrame(fd, offset + 1, size, maxFrameBytes);
        const after =
          resumeAt === null ? 'nothing intact follows' : `the next intact frame is at byte ${resumeAt}`;
        // The metadata record is the first frame: whatever follows damage is facts.
        metaRead = true;
        yield { kind: 'damage', offset, message: `${path}: the frame at byte ${offset} ${what}; ${after}` };
        if (resumeAt === null) return;
        continue;
      }
      const marker = metaRead ? readBatchMarker(chunk, probe.bodyStart, probe.bodyEnd) : null;
      if (marker !== null) {
        if (batchIsWhole(fd, offset + markerFrameBytes(marker), marker, size, maxFrameBytes)) {
          pos = probe.next;
          continue;
        }
        const damage = brokenBatch(fd, offset, marker, size, maxFrameBytes);
        resumeAt = damage.nextFrameAt;
        yield {
          kind: 'damage',
          offset,
          message: `${path}: the batch of ${marker.count} frames at byte ${offset} is not whole (${
            resumeAt === null
              ? 'torn tail: open cuts it'
              : `the next intact frame after it is at byte ${resumeAt}`
          })`,
        };
        if (resumeAt === null) return;
        continue;
      }
      let entry: DataFileEntry;
      try {
        entry = metaRead
          ? { kind: 'fact', fact: codec.decode(chunk, probe.bodyStart, probe.bodyEnd), offset }
          : {
              kind: 'meta',
              meta: decodeMetaFrame(chunk, probe.bodyStart, probe.bodyEnd, options.metaType),
              offset,
            };
      } catch (error) {
        if (!(error instanceof IgniterError)) throw error;
        entry = {
          kind: 'damage',
          offset,
          message: `${path}: the frame at byte ${offset} is intact but ${why(error)}`,
        };
      }
      metaRead = true;
      yield entry;
      pos = probe.next;
    }
    at = resumeAt ?? at + pos;
    await yieldToEventLoop();
  }
}
