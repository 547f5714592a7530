// lmdb-js: facts under [store, key, tt, seq] (history and as-of are range scans), the latest
// fact per key under [store, key], an id index, and [store, field value, key] for the query.
// Values use lmdb-js' default encoding (msgpackr with shared structures).
import { createHash } from 'node:crypto';
import { open } from 'lmdb';
import { QUERY_FIELD, QUERY_VALUE, STORE, uuidv7 } from '../workload.mjs';

const MAX_SEQ = Number.MAX_SAFE_INTEGER;
/** How many batches may wait for their commit before the writer waits (back-pressure). */
const IN_FLIGHT = 8;

/** `mode`: 'async' (lmdb-js default batched async commits) | 'sync' (a synced commit per write). */
export class LmdbSystem {
  constructor(mode, dir) {
    this.mode = mode;
    this.dir = dir;
    this.pending = [];
  }

  open() {
    this.root = open({
      path: this.dir,
      maxDbs: 8,
      ...(this.mode === 'sync' ? { overlappingSync: false } : {}),
    });
    this.facts = this.root.openDB('facts');
    this.latestDb = this.root.openDB('latest');
    this.ids = this.root.openDB('ids');
    this.byField = this.root.openDB('by-field');
    this.meta = this.root.openDB('meta');
    this.seq = this.meta.get('seq') ?? 0;
  }

  describe() {
    return {
      lmdb: this.mode === 'sync' ? 'overlappingSync: false, one transactionSync per write' : 'defaults',
    };
  }

  /**
   * The writes of one fact, inside a write transaction (reads there see earlier writes) or as
   * async puts; returns the last put's result (its promise, for async puts).
   */
  put(key, value, tt) {
    const json = JSON.stringify(value);
    const hash = createHash('sha256').update(json).digest('hex');
    this.seq += 1;
    const seq = this.seq;
    const id = uuidv7(tt);
    const fact = { id, seq, store: STORE, key, tt, hash, value };
    const previous = this.latestDb.get([STORE, key]);
    const field = value[QUERY_FIELD];
    if (previous !== undefined && previous.value[QUERY_FIELD] !== field) {
      this.byField.remove([STORE, previous.value[QUERY_FIELD], key]);
    }
    this.facts.put([STORE, key, tt, seq], fact);
    this.latestDb.put([STORE, key], fact);
    this.ids.put(id, [STORE, key, tt, seq]);
    this.byField.put([STORE, field, key], seq);
    return this.meta.put('seq', seq);
  }

  async writeBatch(batch, tt) {
    this.pending.push(
      this.root.transaction(() => {
        for (const f of batch) this.put(f.key, f.value, tt);
      }),
    );
    if (this.pending.length >= IN_FLIGHT) await this.pending.shift();
  }

  /**
   * One fact at a time, as async puts outside any transaction (lmdb-js batches them into its
   * own commits): the fact, its latest pointer, its id entry, its query entry.
   */
  async writeSingles(batch, tt) {
    let last;
    for (const f of batch) last = this.put(f.key, f.value, tt);
    this.pending.push(last);
    if (this.pending.length >= IN_FLIGHT) await this.pending.shift();
  }

  async settle() {
    await Promise.all(this.pending);
    this.pending = [];
    await this.root.flushed;
  }

  writeDurable(fact, tt) {
    this.root.transactionSync(() => {
      this.put(fact.key, fact.value, tt);
    });
  }

  writeOne(key, value, tt) {
    this.root.transactionSync(() => {
      this.put(key, value, tt);
    });
  }

  setNow() {}

  latest(key) {
    return this.latestDb.get([STORE, key])?.value;
  }

  asOf(key, asOf) {
    for (const { value } of this.facts.getRange({
      start: [STORE, key, asOf, MAX_SEQ],
      end: [STORE, key],
      reverse: true,
      limit: 1,
    })) {
      return value.value;
    }
    return undefined;
  }

  history(key) {
    return this.facts
      .getRange({ start: [STORE, key], end: [STORE, key, Number.MAX_VALUE] })
      .map((e) => e.value).asArray;
  }

  query() {
    const out = [];
    for (const key of this.byField.getKeys({
      start: [STORE, QUERY_VALUE],
      end: [STORE, QUERY_VALUE, '\uffff'],
    })) {
      out.push(this.latestDb.get([STORE, key[2]]));
    }
    return out;
  }

  factCount() {
    return this.facts.getCount();
  }

  async close() {
    await this.root.close();
  }
}
