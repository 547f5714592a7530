import { IgniterError } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { encodeTextFrame } from './frame.js';

/**
 * The frame of a file's metadata record (a JSON object with a `type`), which data files keep
 * as their first frame after the header. Never throws for JSON input. Cost: one stringify.
 */
export function encodeMetaFrame(meta: JsonObject & { type: string }): Buffer {
  return encodeTextFrame(JSON.stringify(meta));
}

/**
 * Decodes a metadata record body `buf[start, end)` and checks its `type`.
 * Throws `ERR_CORRUPT_FRAME` when it is not a JSON object of that type. Cost: one parse.
 */
export function decodeMetaFrame(buf: Uint8Array, start: number, end: number, type: string): JsonObject {
  let meta: unknown;
  try {
    meta = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'));
  } catch (error) {
    throw new IgniterError('ERR_CORRUPT_FRAME', 'metadata record is not JSON', { cause: error });
  }
  if (!isJsonObject(meta) || meta.type !== type) {
    throw new IgniterError('ERR_CORRUPT_FRAME', `metadata record is not of type "${type}"`);
  }
  return meta;
}

/** Reads a non-negative safe integer field of a metadata record, or throws `ERR_CORRUPT_FRAME`. */
export function metaCount(meta: JsonObject, field: string): number {
  const value = meta[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new IgniterError('ERR_CORRUPT_FRAME', `metadata field "${field}" is not a non-negative integer`);
  }
  return value;
}
