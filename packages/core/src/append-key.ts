import { uuidv7 } from './uuid.js';

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(input: number): number {
  let h = input >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');

/** The key an append at `ms` gets when its UUIDv7 ends in the 32 bits `low`. */
function taggedKey(ms: number, low: number): string {
  const a = fmix32(low ^ (ms % 0x100000000) ^ 0x9e3779b9);
  const b = fmix32(a ^ Math.floor(ms / 0x100000000) ^ 0x7f4a7c15);
  const time = hex(ms, 12);
  const randA = a & 0xfff;
  const randB1 = b & 0x3fffffff;
  const variant = hex((0x80000000 | randB1) >>> 0, 8);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(randA, 3)}-${variant.slice(0, 4)}-${variant.slice(4)}${hex(low, 8)}`;
}

/**
 * The key of an appended event: a fresh UUIDv7 of the transaction time whose 42 bits between
 * the version and the last 32 are a hash of the time and those last 32 bits. A fact does not
 * record whether it was written or appended; this tag lets a changefeed that replays the log
 * after a restart still report an append as `append` (SERVER.md). A UUIDv7 minted elsewhere
 * carries the tag by chance once in 2^42. Unique like `uuidv7` (its same-millisecond counter
 * runs in the last 32 bits). Cost: one `uuidv7` and two integer hashes.
 */
export function appendKey(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const base = uuidv7(t);
  return taggedKey(t, Number.parseInt(base.slice(28), 16));
}

/** True when `key` is the key {@link appendKey} minted at `ms`. Cost: O(1). */
export function isAppendKey(key: string, ms: number): boolean {
  if (key.length !== 36 || key[14] !== '7') return false;
  const low = Number.parseInt(key.slice(28), 16);
  return Number.isInteger(ms) && ms >= 0 && !Number.isNaN(low) && taggedKey(ms, low) === key;
}
