import { IgniterError } from '../errors.js';
import { crc32 } from './crc32.js';

/** Bytes a frame adds around its body: a u32 length before it and a u32 CRC-32 after it. */
export const FRAME_OVERHEAD = 8;

/** Default largest frame body, in bytes (a 16 MiB value plus metadata fits with room to spare). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Frames `body` as `u32 BE length | body | u32 BE CRC-32 (IEEE) of body`.
 * Never throws. Cost: one copy and one CRC pass over the body.
 */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(body.length + FRAME_OVERHEAD);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  frame.writeUInt32BE(crc32(body), 4 + body.length);
  return frame;
}

/**
 * Frames the UTF-8 bytes of `text` (see {@link encodeFrame}) without an intermediate copy.
 * Never throws. Cost: one UTF-8 encode and one CRC pass.
 */
export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const frame = Buffer.allocUnsafe(length + FRAME_OVERHEAD);
  frame.writeUInt32BE(length, 0);
  frame.write(text, 4, length, 'utf8');
  frame.writeUInt32BE(crc32(frame.subarray(4, 4 + length)), 4 + length);
  return frame;
}

/** What lies at an offset of a buffer of frames. */
export type FrameProbe =
  /** A whole frame with a matching CRC; its body is `buf[bodyStart, bodyEnd)`. */
  | { kind: 'frame'; bodyStart: number; bodyEnd: number; next: number }
  /** Fewer bytes than the frame needs (a torn tail, or read more). `needed` is its full size if known. */
  | { kind: 'incomplete'; needed: number | null }
  /** The length field is over the limit. */
  | { kind: 'too-large'; length: number }
  /** A whole frame whose CRC does not match its body. */
  | { kind: 'bad-crc'; next: number };

/**
 * Looks at the frame starting at `offset` of `buf` (which ends at `end`, default its length),
 * without throwing. Cost: one CRC pass over the body when the frame is whole.
 */
export function probeFrame(
  buf: Uint8Array,
  offset: number,
  maxFrameBytes: number,
  end = buf.length,
): FrameProbe {
  if (end - offset < 4) return { kind: 'incomplete', needed: null };
  const length =
    (((buf[offset] as number) << 24) |
      ((buf[offset + 1] as number) << 16) |
      ((buf[offset + 2] as number) << 8) |
      (buf[offset + 3] as number)) >>>
    0;
  if (length > maxFrameBytes) return { kind: 'too-large', length };
  const bodyStart = offset + 4;
  const bodyEnd = bodyStart + length;
  const next = bodyEnd + 4;
  if (next > end) return { kind: 'incomplete', needed: length + FRAME_OVERHEAD };
  const stored =
    (((buf[bodyEnd] as number) << 24) |
      ((buf[bodyEnd + 1] as number) << 16) |
      ((buf[bodyEnd + 2] as number) << 8) |
      (buf[bodyEnd + 3] as number)) >>>
    0;
  if (crc32(buf.subarray(bodyStart, bodyEnd)) !== stored) return { kind: 'bad-crc', next };
  return { kind: 'frame', bodyStart, bodyEnd, next };
}

function checkMaxFrameBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'maxFrameBytes must be an integer from 0 to 2^32 - 1');
  }
  return value;
}

/**
 * Splits `buf` into frame bodies. `rest` is an incomplete trailing frame (prepend it to the next
 * chunk). Bodies are views into `buf`, not copies.
 * Throws `ERR_CORRUPT_FRAME` on a CRC mismatch, `ERR_FRAME_TOO_LARGE` on a length over
 * `maxFrameBytes` (both with `details.offset`), `ERR_INVALID_ARGUMENT` on a bad option.
 * Cost: one CRC pass over every body.
 */
export function decodeFrames(
  buf: Uint8Array,
  options: { maxFrameBytes: number },
): { frames: Uint8Array[]; rest: Uint8Array } {
  const maxFrameBytes = checkMaxFrameBytes(options?.maxFrameBytes);
  const frames: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const probe = probeFrame(buf, offset, maxFrameBytes);
    switch (probe.kind) {
      case 'frame':
        frames.push(buf.subarray(probe.bodyStart, probe.bodyEnd));
        offset = probe.next;
        break;
      case 'incomplete':
        return { frames, rest: buf.subarray(offset) };
      case 'too-large':
        throw new IgniterError(
          'ERR_FRAME_TOO_LARGE',
          `frame at byte ${offset} declares ${probe.length} bytes; the limit is ${maxFrameBytes}`,
          { details: { offset, length: probe.length, maxFrameBytes } },
        );
      case 'bad-crc':
        throw new IgniterError('ERR_CORRUPT_FRAME', `frame at byte ${offset} fails its CRC-32 check`, {
          details: { offset },
        });
    }
  }
}
