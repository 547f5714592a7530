import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes10(): Uint8Array {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return out;
}

/**
 * A lowercase hyphenated UUIDv7 (RFC 9562) whose 48-bit timestamp is `ms`.
 * Random bits come from a pooled CSPRNG buffer, so the cost is a few string operations.
 */
export function uuidv7(ms: number): string {
  const r = randomBytes10();
  const t = Math.max(0, Math.floor(ms));
  const hi = Math.floor(t / 0x1000000); // upper 24 bits of 48
  const lo = t % 0x1000000;
  const h = (n: number): string => HEX[n & 0xff] as string;
  return (
    h(hi >>> 16) +
    h(hi >>> 8) +
    h(hi) +
    h(lo >>> 16) +
    '-' +
    h(lo >>> 8) +
    h(lo) +
    '-' +
    h(0x70 | ((r[0] as number) & 0x0f)) +
    h(r[1] as number) +
    '-' +
    h(0x80 | ((r[2] as number) & 0x3f)) +
    h(r[3] as number) +
    '-' +
    h(r[4] as number) +
    h(r[5] as number) +
    h(r[6] as number) +
    h(r[7] as number) +
    h(r[8] as number) +
    h(r[9] as number)
  );
}
