// One engine's run of the engine benchmark (run.mjs starts one process per engine, so that
// resident memory is measured apart). Prints one JSON line of figures.
// Usage: node --expose-gc --max-old-space-size=8192 child.mjs <ts|native> [facts] [keys]
import { loadavg } from 'node:os';
import { IgniterStore } from '@igniter/core';

const engine = process.argv[2];
const FACTS = Number(process.argv[3] ?? 1_000_000);
const KEYS = Number(process.argv[4] ?? 100_000);
const READS = Math.min(KEYS, 100_000);
const WRITE_MANY_FACTS = 200_000;
const BATCH = 1_000;
const START = 1_700_000_000_000;
const FACTS_PER_MS = 10;

if (engine !== 'ts' && engine !== 'native') throw new Error('usage: child.mjs <ts|native> [facts] [keys]');
if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');

/** Deterministic xorshift32, so both engines see the same keys and times. */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4_294_967_296;
  };
}

/** A ~100-byte JSON value (its canonical JSON is 96-110 bytes). */
function userValue(i, k) {
  return {
    name: `user-${k}`,
    email: `user${k}@example.com`,
    age: i % 90,
    active: (i & 1) === 0,
    score: Math.round(i * 7.31) / 100,
    city: i % 3 === 0 ? 'Lisbon' : 'Porto',
  };
}

function memory() {
  global.gc();
  global.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function timed(run) {
  const start = performance.now();
  const result = run();
  return { ms: performance.now() - start, result };
}

const keyName = (k) => `user-${k}`;
const keyOrder = (() => {
  const next = random(42);
  return Array.from({ length: FACTS }, () => Math.floor(next() * KEYS));
})();
/** A permutation of the first READS keys. */
const readOrder = (() => {
  const next = random(7);
  const keys = Array.from({ length: READS }, (_, i) => i);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys.map(keyName);
})();
const asOfTimes = (() => {
  const next = random(99);
  const span = Math.floor(FACTS / FACTS_PER_MS);
  return Array.from({ length: READS }, () => START + Math.floor(next() * span));
})();

const loadAtStart = loadavg()[0];
const before = memory();
let now = START;
const store = new IgniterStore({ engine, clock: () => now });
if (store.engine !== engine) throw new Error(`asked for ${engine}, got ${store.engine}`);

// Writes through IgniterStore.write: validation, hashing, id, seq, indexes, all included.
const writes = timed(() => {
  for (let i = 0; i < FACTS; i++) {
    if (i % FACTS_PER_MS === 0) now += 1;
    const k = keyOrder[i];
    store.write({ store: 'users', key: keyName(k), value: userValue(i, k) });
  }
});
const end = now;
const after = memory();

// Latest reads: every key once, in random order, so each one misses the read cache and
// reaches the engine; then the same keys again, now answered by the store's read cache.
let sink = 0;
const latestCold = timed(() => {
  for (const key of readOrder) sink += store.read({ store: 'users', key })?.age ?? 0;
});
const latestWarm = timed(() => {
  for (const key of readOrder) sink += store.read({ store: 'users', key })?.age ?? 0;
});
// As-of reads: random key, random time; the time-travel LRU (1000 entries) almost never hits.
const asOf = timed(() => {
  for (let i = 0; i < READS; i++) {
    sink += store.read({ store: 'users', key: readOrder[i], asOf: asOfTimes[i] })?.age ?? 0;
  }
});
// History of a key (about FACTS / KEYS facts each): the call, then the call plus every value read.
const history = timed(() => {
  for (const key of readOrder) sink += store.history({ store: 'users', key }).length;
});
const historyValues = timed(() => {
  for (const key of readOrder) {
    for (const fact of store.history({ store: 'users', key })) sink += fact.value.age;
  }
});
// Full scan of the log: the call, then the call plus every value read.
const scan = timed(() => store.factLogAll().length);
const scanValues = timed(() => {
  let total = 0;
  for (const fact of store.factLogAll()) total += fact.value.age;
  return total;
});
if (scan.result !== FACTS) throw new Error(`scan saw ${scan.result} facts, not ${FACTS}`);
const afterReads = memory();

// writeMany in batches, into a second store (its memory is not part of the figures above).
let manyNow = START;
const many = new IgniterStore({ engine, clock: () => manyNow });
const writeMany = timed(() => {
  for (let b = 0; b < WRITE_MANY_FACTS; b += BATCH) {
    manyNow += 1;
    const batch = [];
    for (let i = b; i < b + BATCH; i++) {
      const k = keyOrder[i];
      batch.push({ store: 'users', key: keyName(k), value: userValue(i, k) });
    }
    many.writeMany(batch);
  }
});

const perSecond = (count, ms) => Math.round((count / ms) * 1000);
console.log(
  JSON.stringify({
    engine: store.engine,
    facts: FACTS,
    keys: KEYS,
    reads: READS,
    timeSpanMs: end - START,
    writesPerSec: perSecond(FACTS, writes.ms),
    writeManyPerSec: perSecond(WRITE_MANY_FACTS, writeMany.ms),
    latestColdPerSec: perSecond(READS, latestCold.ms),
    latestWarmPerSec: perSecond(READS, latestWarm.ms),
    asOfPerSec: perSecond(READS, asOf.ms),
    historyPerSec: perSecond(READS, history.ms),
    historyValuesPerSec: perSecond(READS, historyValues.ms),
    scanMs: Math.round(scan.ms),
    scanValuesMs: Math.round(scanValues.ms),
    rssPerFact: Math.round((after.rss - before.rss) / FACTS),
    heapPerFact: Math.round((after.heapUsed - before.heapUsed) / FACTS),
    rssPerFactAfterReads: Math.round((afterReads.rss - before.rss) / FACTS),
    load: [loadAtStart, loadavg()[0]],
    sink: sink % 7,
  }),
);
