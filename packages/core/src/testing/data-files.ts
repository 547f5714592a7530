import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { crc32 } from '../storage/crc32.js';
import { FRAME_OVERHEAD } from '../storage/frame.js';
import { HEADER_BYTES } from '../storage/header.js';

/**
 * Every file under `root` (recursively), relative to it with `/` separators, sorted. Throws the
 * system error when `root` cannot be read. Cost: one directory read per folder.
 */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * The files under `root` whose bytes contain `text` (UTF-8), as `filesUnder` names them: how a
 * test shows that erased facts are in no data file (ARCHITECTURE.md D11). Cost: reads every file.
 */
export function filesContaining(root: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return filesUnder(root).filter((name) => readFileSync(join(root, name)).includes(needle));
}

/**
 * SHA-256 (hex) over the name and bytes of every file under `root`: equal digests mean
 * byte-identical trees. Cost: reads every file.
 */
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

/**
 * The start offset of every frame of a data file in the `@igniter/core/storage` format (a log,
 * snapshot or segment: header, then frames, the metadata record first), and the offset where the
 * last frame ends. Assumes intact length fields. Cost: reads the file.
 */
export function frameOffsets(path: string): { starts: number[]; end: number } {
  const bytes = readFileSync(path);
  const starts: number[] = [];
  let at = HEADER_BYTES;
  while (at < bytes.length) {
    starts.push(at);
    at += bytes.readUInt32BE(at) + FRAME_OVERHEAD;
  }
  return { starts, end: at };
}

/**
 * Replaces the first occurrence of `from` in the data file at `path` by `to` (same byte length)
 * and rewrites the CRC of the frame holding it, so the frame stays intact and only its content
 * lies. Returns the offset of that frame. Throws when `from` is absent or the lengths differ.
 */
export function rewriteInFrame(path: string, from: string, to: string): number {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(Buffer.from(from, 'utf8'));
  if (at < 0 || Buffer.byteLength(to) !== Buffer.byteLength(from)) throw new Error(`cannot rewrite ${from}`);
  const start = frameOffsets(path)
    .starts.filter((s) => s < at)
    .pop() as number;
  const length = bytes.readUInt32BE(start);
  bytes.write(to, at, 'utf8');
  bytes.writeUInt32BE(crc32(bytes.subarray(start + 4, start + 4 + length)), start + 4 + length);
  patchFile(path, start, bytes.subarray(start, start + length + FRAME_OVERHEAD));
  return start;
}
