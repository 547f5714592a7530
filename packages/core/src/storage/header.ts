import * as fs from 'node:fs';
import { IgniterError } from '../errors.js';
import { crc32 } from './crc32.js';

/**
 * The first 8 bytes of every Igniter data file. Like PNG's signature, the high byte and the
 * CR LF / SUB LF pair make text-mode or 7-bit transfers that mangle the file fail to open.
 */
export const FILE_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x49, 0x47, 0x4e, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * The newest on-disk format version this build reads and writes. Version 2 is a write-ahead
 * log, a snapshot (a checkpoint copies the log's frames into it) or a segment that may hold
 * batch markers (`batch-marker.ts`); every other file kind is written as version 1, which is also every file
 * written before batch markers. A build that knows only version 1 refuses a version 2 file
 * (`ERR_UNSUPPORTED_FORMAT`) instead of misreading a marker.
 */
export const FORMAT_VERSION = 2;

/** Versions this build reads. */
const READ_VERSIONS: ReadonlySet<number> = new Set([1, 2]);

/** The version this build writes for a file of `kind` (see {@link FORMAT_VERSION}). */
export function formatVersionFor(kind: number): number {
  return kind === 1 || kind === 2 || kind === 3 ? 2 : 1;
}

/** Size of the file header: magic(8) | u16 BE version | u8 file kind | u8 body codec | u32 BE CRC-32 of bytes 0-11. */
export const HEADER_BYTES = 16;

/** What a data file holds; the numbers are on disk and never change meaning. */
export const FileKind = {
  /** A write-ahead log of fact frames. */
  wal: 1,
  /** A checkpoint: every live fact up to a seq. */
  snapshot: 2,
  /** One segment of a segmented store. */
  segment: 3,
  /** A metadata file holding one record (a segmented store's catalog, a segment manifest, a purge receipt). */
  record: 4,
} as const;
/** A file kind number (see {@link FileKind}). */
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

/** The decoded header of a data file. */
export interface FileHeader {
  version: number;
  kind: FileKind;
  codec: number;
}

const KINDS: ReadonlySet<number> = new Set(Object.values(FileKind));

/**
 * The 16 header bytes of a file of `kind` whose frame bodies use body codec `codec` (0-255).
 * Throws `ERR_INVALID_ARGUMENT` for an unknown kind or codec number. Cost: constant.
 */
export function encodeHeader(kind: FileKind, codec: number): Buffer {
  if (!KINDS.has(kind)) throw new IgniterError('ERR_INVALID_ARGUMENT', `unknown file kind ${kind}`);
  if (!Number.isInteger(codec) || codec < 0 || codec > 255) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `codec must be an integer from 0 to 255`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.set(FILE_MAGIC, 0);
  header.writeUInt16BE(formatVersionFor(kind), 8);
  header.writeUInt8(kind, 10);
  header.writeUInt8(codec, 11);
  header.writeUInt32BE(crc32(header.subarray(0, 12)), 12);
  return header;
}

function unsupported(file: string, why: string): IgniterError {
  return new IgniterError(
    'ERR_UNSUPPORTED_FORMAT',
    `${file} is not an Igniter data file this version reads: ${why}`,
    {
      details: { file },
    },
  );
}

/**
 * True when `bytes` (shorter than a header) could be the start of a header of this version,
 * that is, a header torn while the file was being created.
 */
export function isHeaderPrefix(bytes: Uint8Array): boolean {
  if (bytes.length >= HEADER_BYTES) return false;
  for (let i = 0; i < Math.min(bytes.length, FILE_MAGIC.length); i++) {
    if (bytes[i] !== FILE_MAGIC[i]) return false;
  }
  return bytes.length < 10 || READ_VERSIONS.has(((bytes[8] as number) << 8) + (bytes[9] as number));
}

/**
 * Reads and checks the header at the start of `bytes` for the file named `file` (used in
 * messages), expecting a file of `kind`.
 * Throws `ERR_UNSUPPORTED_FORMAT` (with `details.file`) when the magic, version or kind is not
 * ours or the codec is not in `codecs`, and `ERR_CORRUPT_LOG` when a header of ours fails its
 * CRC. Cost: constant.
 */
export function readHeader(
  bytes: Uint8Array,
  file: string,
  kind: FileKind,
  codecs: ReadonlySet<number>,
): FileHeader {
  if (bytes.length < HEADER_BYTES) throw unsupported(file, `it has only ${bytes.length} bytes`);
  for (let i = 0; i < FILE_MAGIC.length; i++) {
    if (bytes[i] !== FILE_MAGIC[i]) throw unsupported(file, 'the file signature does not match');
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (crc32(view.subarray(0, 12)) !== view.readUInt32BE(12)) {
    throw new IgniterError('ERR_CORRUPT_LOG', `${file}: the file header at byte 0 fails its CRC-32 check`, {
      details: { file, offset: 0 },
    });
  }
  const version = view.readUInt16BE(8);
  if (!READ_VERSIONS.has(version)) {
    throw unsupported(file, `format version ${version} (this build reads 1 to ${FORMAT_VERSION})`);
  }
  const fileKind = view.readUInt8(10);
  if (fileKind !== kind) throw unsupported(file, `file kind ${fileKind}, expected ${kind}`);
  const codec = view.readUInt8(11);
  if (!codecs.has(codec)) throw unsupported(file, `unknown body codec ${codec}`);
  return { version, kind, codec };
}

/**
 * Raises the header of the file open as `fd` (read and write) to the version this build
 * writes for its kind, in place, and fsyncs it; a header already there is left alone. For a
 * log written before batch markers, before the first marker goes into it: the header is one
 * 16-byte write inside the first sector, and either header reads as a valid log.
 * Throws the system error of a failed read, write or fsync. Cost: one read; one write and
 * one fsync when raised.
 */
export function raiseHeaderVersion(fd: number, header: FileHeader): void {
  const version = formatVersionFor(header.kind);
  if (header.version >= version) return;
  const raised = encodeHeader(header.kind, header.codec);
  let written = 0;
  while (written < raised.length)
    written += fs.writeSync(fd, raised, written, raised.length - written, written);
  fs.fsyncSync(fd);
}
