import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, FRAME_OVERHEAD, HEADER_BYTES } from '@igniter/core/storage';
import { filesUnder } from './temp.js';

/** SHA-256 over every file's name and bytes under `root`: equal digests, byte-identical trees. */
export function treeDigest(root: string): string {
  const hash = createHash('sha256');
  for (const name of filesUnder(root)) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(root, name)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Writes `bytes` at `offset` of the file at `path`, in place (no truncation). */
export function patchFile(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Start offsets of every frame of a data file (its metadata record first). */
export function frameStarts(path: string): number[] {
  const bytes = readFileSync(path);
  const starts: number[] = [];
  for (let at = HEADER_BYTES; at < bytes.length; at += bytes.readUInt32BE(at) + FRAME_OVERHEAD)
    starts.push(at);
  return starts;
}

/**
 * Replaces the first occurrence of `from` in the file at `path` by `to` (same byte length) and
 * rewrites the CRC of the frame holding it, so the frame stays intact and only its content lies.
 * Returns the offset of that frame.
 */
export function rewriteInFrame(path: string, from: string, to: string): number {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(Buffer.from(from, 'utf8'));
  if (at < 0 || Buffer.byteLength(to) !== Buffer.byteLength(from)) throw new Error(`cannot rewrite ${from}`);
  const start = frameStarts(path)
    .filter((s) => s < at)
    .pop() as number;
  const length = bytes.readUInt32BE(start);
  bytes.write(to, at, 'utf8');
  bytes.writeUInt32BE(crc32(bytes.subarray(start + 4, start + 4 + length)), start + 4 + length);
  patchFile(path, start, bytes.subarray(start, start + length + FRAME_OVERHEAD));
  return start;
}
