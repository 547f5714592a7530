// The one workload every system runs: the same facts, in the same order, from a fixed seed.
// Every process regenerates it (cheaper than shipping 1M facts between processes).
import { randomFillSync } from 'node:crypto';

export const SEED = 0x1 + 0x9e3779b9;
export const STORE = 'orders';
/** Transaction time of the first batch; batch b commits at T0 + b (ms). */
export const T0 = Date.UTC(2026, 0, 1);
export const BATCH = 1000;
export const STATUSES = [
  'open',
  'paid',
  'packed',
  'shipped',
  'delivered',
  'returned',
  'held',
  'void',
  'draft',
  'closed',
];
/** The field-equality query: latest values with status "open" (~10% of keys). */
export const QUERY_FIELD = 'status';
export const QUERY_VALUE = 'open';
export const QUERY_SCOPE = 'open';

/** Sizes of a full run and of `--quick`. */
export function sizes(quick) {
  const keys = quick ? 10_000 : 100_000;
  return {
    keys,
    versions: 10,
    facts: keys * 10,
    latestReads: keys,
    asOfReads: keys,
    historyReads: keys / 10,
    queryRounds: 20,
    syncWrites: quick ? 500 : 5000,
  };
}

/** mulberry32: a small, fast, seedable PRNG; returns uint32. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function keyName(k) {
  return `order-${String(k).padStart(6, '0')}`;
}

/** Transaction time of the fact at position i of the write order (one tick per batch). */
export function ttOf(i) {
  return T0 + Math.floor(i / BATCH);
}

const NOTE = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * One fact's value (~100 bytes of JSON, keys in canonical order) from two draws of the PRNG and
 * the key's version.
 */
export function orderValue(r, n, v) {
  return {
    amount: (r % 1_000_000) / 100,
    customer: `c-${String(n % 50_000).padStart(5, '0')}`,
    note: NOTE.slice(n % 10, (n % 10) + 8),
    qty: (r >>> 20) % 50,
    region: `eu-${(n >>> 16) % 8}`,
    status: STATUSES[(r >>> 8) % STATUSES.length],
    v,
  };
}

/**
 * The write order: each key appears `versions` times at random positions. Yields batches of
 * `{ i, key, value }` with values of ~100 bytes of JSON whose keys are already in canonical
 * order (so JSON.stringify is the RFC 8785 form for the peers' hashes).
 */
export function* factBatches(size, limit = size.facts) {
  const rand = prng(SEED);
  const order = new Uint32Array(size.facts);
  for (let i = 0; i < size.facts; i++) order[i] = i % size.keys;
  for (let i = size.facts - 1; i > 0; i--) {
    const j = rand() % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const version = new Uint8Array(size.keys);
  let batch = [];
  for (let i = 0; i < limit; i++) {
    const k = order[i];
    version[k] += 1;
    const r = rand();
    const n = rand();
    batch.push({ i, key: keyName(k), value: orderValue(r, n, version[k]) });
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Keys of the latest-read passes: every key once, shuffled. */
export function latestReadKeys(size) {
  const rand = prng(SEED + 1);
  const keys = Array.from({ length: size.latestReads }, (_, k) => keyName(k % size.keys));
  for (let i = keys.length - 1; i > 0; i--) {
    const j = rand() % (i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys;
}

/** (key, asOf) pairs: random keys at random transaction times within the written range. */
export function asOfReads(size) {
  const rand = prng(SEED + 2);
  const batches = Math.ceil(size.facts / BATCH);
  return Array.from({ length: size.asOfReads }, () => ({
    key: keyName(rand() % size.keys),
    asOf: T0 + (rand() % batches),
  }));
}

export function historyKeys(size) {
  const rand = prng(SEED + 3);
  return Array.from({ length: size.historyReads }, () => keyName(rand() % size.keys));
}

/** The writes between timed queries: a new version that matches the query. */
export function queryRoundWrites(size) {
  const rand = prng(SEED + 4);
  return Array.from({ length: size.queryRounds }, (_, j) => ({
    key: keyName(rand() % size.keys),
    value: {
      amount: j,
      customer: 'c-00000',
      note: NOTE.slice(0, 8),
      qty: 1,
      region: 'eu-0',
      status: QUERY_VALUE,
      v: 100 + j,
    },
  }));
}

/** Transaction time after the whole load: what "now" is for reads. */
export function readNow(size) {
  return ttOf(size.facts - 1) + 1;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pool = new Uint8Array(8192);
let poolAt = pool.length;

/** A UUIDv7 for the peers' fact ids (the same construction Igniter uses: pooled CSPRNG bytes). */
export function uuidv7(ms) {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = pool.subarray(poolAt, poolAt + 10);
  poolAt += 10;
  const hi = Math.floor(ms / 0x1000000);
  const lo = ms % 0x1000000;
  return (
    HEX[(hi >>> 16) & 0xff] +
    HEX[(hi >>> 8) & 0xff] +
    HEX[hi & 0xff] +
    HEX[(lo >>> 16) & 0xff] +
    '-' +
    HEX[(lo >>> 8) & 0xff] +
    HEX[lo & 0xff] +
    '-' +
    HEX[0x70 | (r[0] & 0x0f)] +
    HEX[r[1]] +
    '-' +
    HEX[0x80 | (r[2] & 0x3f)] +
    HEX[r[3]] +
    '-' +
    HEX[r[4]] +
    HEX[r[5]] +
    HEX[r[6]] +
    HEX[r[7]] +
    HEX[r[8]] +
    HEX[r[9]]
  );
}
