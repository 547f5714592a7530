import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../fact.js';
import type { BackupResult } from '../integrity/types.js';
import type { IgniterStore } from '../store.js';
import { useTempDir } from './temp-dir.js';

/** How `storeContractSuite` opens the store under test and looks into what it keeps. */
export interface StoreHarness {
  /** Opens a new, empty store whose data lives under `dir` (a fresh directory per test). */
  open(dir: string): IgniterStore | Promise<IgniterStore>;
  /**
   * The places of the store's data (files, rows; backups under `dir` included) whose bytes hold
   * `marker`, named any way, sorted; `[]` when none does.
   */
  holding(dir: string, marker: string): string[] | Promise<string[]>;
  /** True when the store keeps its facts outside memory: then `holding` must see a write. */
  durable: boolean;
  /** Where a backup of the store goes, under `dir`. */
  backupPath(dir: string): string;
  /** Opens a backup taken to `path` as a store. */
  openBackup(path: string): IgniterStore | Promise<IgniterStore>;
}

const MARKER = 'ERASE-ME-5c7d21e9';

/**
 * Takes `store.backup(path)` while writing to (`writeStore`, key `late`) once per event-loop
 * turn until it settles: the backup must hold exactly the facts up to its seq. Returns its
 * result and how many writes ran meanwhile (at least one).
 */
export async function backupWhileWriting(
  store: IgniterStore,
  path: string,
  writeStore: string,
): Promise<{ result: BackupResult; writesDuring: number }> {
  let settled = false;
  const pending = store.backup(path).finally(() => {
    settled = true;
  });
  let writesDuring = 0;
  while (!settled) {
    store.write({ store: writeStore, key: 'late', value: { writesDuring } });
    writesDuring += 1;
    await setImmediate();
  }
  return { result: await pending, writesDuring };
}

/** A fact as a plain object (a native fact's value is an accessor). */
function plain(fact: Fact): Record<string, unknown> {
  return { ...fact };
}

/**
 * Registers the store-level contract tests (vitest `describe`/`it`) over one backend: physical
 * erasure by prune and by compaction (ARCHITECTURE.md D11), a backup that holds no pruned byte and
 * reopens to exactly the live facts, a backup taken during a stream of writes, and `verify`.
 * Every backend package runs it next to `backendContractSuite`. Must be called inside a vitest
 * test file. Cost: a few small stores, each in a temp directory.
 *
 * @example
 * storeContractSuite('file store', {
 *   durable: true,
 *   open: (dir) => openFileStore(join(dir, 'data', 'app.log')),
 *   holding: (dir, marker) => filesContaining(dir, marker),
 *   backupPath: (dir) => join(dir, 'backup', 'app.log'),
 *   openBackup: (path) => openFileStore(path),
 * });
 */
export function storeContractSuite(name: string, harness: StoreHarness): void {
  describe(`${name} (store contract)`, () => {
    const temp = useTempDir('igniter-store-contract-');
    const open = async (): Promise<IgniterStore> => temp.track(await harness.open(temp.dir()));
    const holding = async (): Promise<string[]> => harness.holding(temp.dir(), MARKER);
    const valuesHold = (store: IgniterStore): boolean =>
      store.factLogAll().some((fact) => JSON.stringify(fact.value).includes(MARKER));

    it('a pruned value is in no data after flush; the rest reads back and verifies', async () => {
      const store = await open();
      const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
      store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
      await store.flush();
      if (harness.durable) expect(await holding()).not.toEqual([]);
      expect(store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' })).toMatchObject({
        status: 'ok',
        prunedCount: 1,
      });
      await store.flush();
      expect(await holding()).toEqual([]);
      expect(valuesHold(store)).toBe(false);
      expect(store.read({ store: 'people', key: 'p2' })).toEqual({ name: 'kept' });
      // p2 and the prune receipt.
      expect(await store.verify()).toEqual({ ok: true, factsChecked: 2, problems: [], warnings: [] });
    });

    it('a value compacted away is in no data after flush', async () => {
      const store = await open();
      store.write({ store: 'latest', key: 'k', value: { v: MARKER } });
      store.write({ store: 'latest', key: 'k', value: { v: 'current' } });
      await store.flush();
      if (harness.durable) expect(await holding()).not.toEqual([]);
      store.setRetention('latest', { strategy: 'ephemeral' });
      expect(store.compact('latest')).toMatchObject([{ droppedCount: 1, keptCount: 1 }]);
      await store.flush();
      expect(await holding()).toEqual([]);
      expect(valuesHold(store)).toBe(false);
      expect(store.read({ store: 'latest', key: 'k' })).toEqual({ v: 'current' });
    });

    it('a backup taken after a prune holds no byte of it and reopens to exactly the live facts', async () => {
      const store = await open();
      const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
      store.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
      store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
      const path = harness.backupPath(temp.dir());
      const result = await store.backup(path);
      expect(result).toMatchObject({ path, seq: 3, factCount: 2 });
      await store.flush();
      expect(await holding()).toEqual([]);
      const copy = temp.track(await harness.openBackup(path));
      expect(copy.factLogAll().map(plain)).toEqual(store.factLogAll().map(plain));
      expect(copy.write({ store: 'people', key: 'p3', value: 1 }).seq).toBe(4);
    });

    it('a backup taken during a stream of writes reopens to the exact prefix up to its seq', async () => {
      const store = await open();
      for (let i = 0; i < 1500; i++) store.write({ store: 'readings', key: `r${i % 7}`, value: { i } });
      store.checkpoint();
      await store.flush();
      for (let i = 0; i < 500; i++) store.write({ store: 'readings', key: 'tail', value: { i } });
      const path = harness.backupPath(temp.dir());
      const { result, writesDuring } = await backupWhileWriting(store, path, 'readings');
      expect(result).toMatchObject({ seq: 2000, factCount: 2000 });
      expect(store.factCount()).toBe(2000 + writesDuring);
      const copy = temp.track(await harness.openBackup(path));
      expect(copy.factLogAll().map(plain)).toEqual(
        store
          .factLogAll()
          .filter((fact) => fact.seq <= result.seq)
          .map(plain),
      );
    });

    it('verify checks every live fact of a store that was written, pruned and reopened from a backup', async () => {
      const store = await open();
      for (let i = 0; i < 20; i++) store.write({ store: 'tasks', key: `t${i % 4}`, value: { i } });
      const first = store.history({ store: 'tasks', key: 't0' })[0] as Fact;
      store.pruneFactIds({ factIds: [first.id], reason: 'test' });
      expect(await store.verify()).toEqual({ ok: true, factsChecked: 20, problems: [], warnings: [] });
      const path = harness.backupPath(temp.dir());
      await store.backup(path);
      const copy = temp.track(await harness.openBackup(path));
      expect(await copy.verify()).toEqual({ ok: true, factsChecked: 20, problems: [], warnings: [] });
    });
  });
}
