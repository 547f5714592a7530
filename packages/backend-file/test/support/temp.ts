import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_OVERHEAD, HEADER_BYTES } from '@igniter/core/storage';
import { afterEach, beforeEach } from 'vitest';

/** Anything with an async close: a backend or a store. */
interface Closable {
  close(): Promise<void>;
}

/** A fresh temp directory per test, removed after it; backends and stores registered with `track` are closed first. */
export function useTempDir(): { dir: () => string; track: <T extends Closable>(backend: T) => T } {
  let current = '';
  let open: Closable[] = [];
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), 'igniter-file-'));
    open = [];
  });
  afterEach(async () => {
    for (const backend of open) await backend.close().catch(() => undefined);
    rmSync(current, { recursive: true, force: true });
  });
  return {
    dir: () => current,
    track: (backend) => {
      open.push(backend);
      return backend;
    },
  };
}

/** Start offsets of every frame of a log or snapshot file (the metadata record first), and its end. */
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

/** Flips the bits of `mask` in the byte at `at` of `bytes`, in place. */
export function xorByte(bytes: Buffer, at: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
}

/** Adds `delta` to the byte at `at` of `bytes` (wrapping), in place. */
export function addToByte(bytes: Buffer, at: number, delta: number): void {
  bytes.writeUInt8((bytes.readUInt8(at) + delta + 256) % 256, at);
}
