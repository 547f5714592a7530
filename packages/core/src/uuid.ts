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

/** The last id's millisecond and its 74 counter bits (12 of rand_a, 30 + 32 of rand_b). */
let lastMs = -1;
let randA = 0;
let randB1 = 0;
let randB2 = 0;

/**
 * A lowercase hyphenated UUIDv7 (RFC 9562) whose 48-bit timestamp is `ms`. Ids of the same
 * millisecond count up from a random start (RFC 9562 §6.2, method 1, as the native engine
 * mints them), so ids minted in order sort in order; a new millisecond starts from fresh
 * random bits (the top one clear, leaving room to count). Random bits come from a pooled
 * CSPRNG buffer, so the cost is a few string operations.
 */
export function uuidv7(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t === lastMs) {
    randB2 = (randB2 + 1) >>> 0;
    if (randB2 === 0) {
      randB1 = (randB1 + 1) & 0x3fffffff;
      if (randB1 === 0) randA = (randA + 1) & 0xfff;
    }
  } else {
    const r = randomBytes10();
    lastMs = t;
    randA = (((r[0] as number) & 0x07) << 8) | (r[1] as number);
    randB1 =
      ((((r[2] as number) & 0x3f) << 24) |
        ((r[3] as number) << 16) |
        ((r[4] as number) << 8) |
        (r[5] as number)) >>>
      0;
    randB2 =
      (((r[6] as number) << 24) | ((r[7] as number) << 16) | ((r[8] as number) << 8) | (r[9] as number)) >>>
      0;
  }
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
    h(0x70 | (randA >>> 8)) +
    h(randA) +
    '-' +
    h(0x80 | (randB1 >>> 24)) +
    h(randB1 >>> 16) +
    '-' +
    h(randB1 >>> 8) +
    h(randB1) +
    h(randB2 >>> 24) +
    h(randB2 >>> 16) +
    h(randB2 >>> 8) +
    h(randB2)
  );
}
