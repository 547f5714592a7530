// Igniter through its public API: IgniterStore in memory, or openFileStore on the file backend.
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { engineInfo, IgniterStore } from '@igniter/core';
import { QUERY_FIELD, QUERY_SCOPE, QUERY_VALUE, STORE, T0 } from '../workload.mjs';

/**
 * `mode`: 'memory' | 'group' | 'fsync'. The store's clock is driven by the benchmark so that
 * every system gets the same transaction times (one tick per batch of 1000).
 */
export class IgniterSystem {
  constructor(engine, mode, dir) {
    this.engine = engine;
    this.mode = mode;
    this.path = join(dir, 'igniter.log');
    this.dir = dir;
    this.now = T0;
  }

  open() {
    const options = { engine: this.engine, clock: () => this.now };
    this.store =
      this.mode === 'memory'
        ? new IgniterStore(options)
        : openFileStore(this.path, { ...options, durability: this.mode });
    this.store.registerPath({ store: STORE, scope: QUERY_SCOPE, filters: { [QUERY_FIELD]: QUERY_VALUE } });
  }

  describe() {
    const info = engineInfo();
    return { engine: this.store.engine, addon: info.kind === 'native' ? info.version : info.reason };
  }

  /** One batch of 1000 in one call, as SQLite gets one transaction per batch. */
  writeBatch(batch, tt) {
    this.now = tt;
    this.store.writeMany(batch.map((f) => ({ store: STORE, key: f.key, value: f.value })));
  }

  /** One `write` per fact: the way most users write. */
  writeSingles(batch, tt) {
    this.now = tt;
    for (const f of batch) this.store.write({ store: STORE, key: f.key, value: f.value });
  }

  async settle() {
    await this.store.flush();
  }

  /** One write, durable when it returns in 'fsync' mode. */
  writeDurable(fact, tt) {
    this.now = tt;
    this.store.write({ store: STORE, key: fact.key, value: fact.value });
  }

  /** A write made visible at once (between timed queries). */
  writeOne(key, value, tt) {
    this.now = tt;
    this.store.write({ store: STORE, key, value });
  }

  setNow(tt) {
    this.now = tt;
  }

  latest(key) {
    return this.store.read({ store: STORE, key });
  }

  asOf(key, asOf) {
    return this.store.read({ store: STORE, key, asOf });
  }

  history(key) {
    return this.store.history({ store: STORE, key });
  }

  query() {
    return this.store.query({ store: STORE, scope: QUERY_SCOPE });
  }

  factCount() {
    return this.store.factCount();
  }

  async close() {
    await this.store.close();
  }
}
