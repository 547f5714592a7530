import { IgniterError } from '@igniter/core';
import { crc32, HEADER_BYTES } from '@igniter/core/storage';

/**
 * True when the 16 bytes at the start of `head` are an intact header (its CRC-32 matches),
 * whatever it says: a header that says something else (another version or kind) was written
 * so, while one that fails its CRC was damaged.
 */
export function isIntactHeader(head: Uint8Array): boolean {
  if (head.length < HEADER_BYTES) return false;
  const view = Buffer.from(head.buffer, head.byteOffset, HEADER_BYTES);
  return crc32(view.subarray(0, 12)) === view.readUInt32BE(12);
}

/** `ERR_CORRUPT_LOG` for a snapshot whose header is damaged. */
export function damagedSnapshotHeader(path: string, cause: unknown): IgniterError {
  return new IgniterError('ERR_CORRUPT_LOG', `${path}: the snapshot's header at byte 0 is damaged`, {
    details: { file: path, offset: 0, reason: 'damaged header' },
    cause,
  });
}
