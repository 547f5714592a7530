import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import type { IgniterStore } from '@igniter/core';
import { filesContaining, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { openFileStore } from '../../src/index.js';
import { readSnapshotFile } from '../../src/snapshot-file.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const MAX_FRAME = 16 * 1024 * 1024;

function open(path: string): IgniterStore {
  return temp.track(openFileStore(path, { engine, durability: 'none' }));
}

/** Writes facts `from`..`to` (seqs, on a store that holds `from - 1`): key `k<n % 50>` = { n }. */
function fill(store: IgniterStore, from: number, to: number): void {
  for (let n = from; n <= to; n++)
    store.write({ store: 'items', key: `k${n % 50}`, value: { n, pad: 'x'.repeat(60) } });
}

/** [seq, key, n] of every fact of the store at `path`, read by a fresh open. */
async function reopened(path: string): Promise<Array<[number, string, unknown]>> {
  const store = openFileStore(path, { engine });
  const facts = store
    .factLogAll()
    .map((f): [number, string, unknown] => [f.seq, f.key, (f.value as { n: number }).n]);
  await store.close();
  return facts;
}

function shape(from: number, to: number): Array<[number, string, unknown]> {
  return Array.from({ length: to - from + 1 }, (_, i) => [from + i, `k${(from + i) % 50}`, from + i]);
}

const tempFiles = () => readdirSync(temp.dir()).filter((name) => name.includes('.tmp-'));

describe(`checkpoint() of a file store (${engine} engine)`, () => {
  it('lets timers run and writes go on while it copies; the writes land in the new log', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    fill(store, 1, 20_000); // about 2.5 MiB of frames: several copy steps
    store.checkpoint();
    await store.flush();
    fill(store, 20_001, 30_000);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    let ticksAtResolve = -1;
    expect(store.checkpoint()).toBe(store);
    const running = store.flush().then(() => {
      ticksAtResolve = ticks;
      return store;
    });
    await turn();
    // The copy is under way: these follow the checkpoint's seq.
    expect(ticksAtResolve).toBe(-1);
    fill(store, 30_001, 30_040);
    expect(await running).toBe(store);
    clearInterval(timer);
    expect(ticksAtResolve).toBeGreaterThan(0);

    const snapshot = readSnapshotFile(`${path}.snapshot`, MAX_FRAME);
    expect(snapshot?.lastSeq).toBe(30_000);
    expect(snapshot?.facts.map((f) => f.seq)).toEqual(shape(1, 30_000).map(([seq]) => seq));
    // The new log holds only what was written during the copy.
    expect(statSync(path).size).toBeLessThan(50 * 400);
    fill(store, 30_041, 30_050);
    await store.close();
    expect(await reopened(path)).toEqual(shape(1, 30_050));
    expect(tempFiles()).toEqual([]);
  });

  it('copies the frames as they are: a reopen reads the same facts, ids and hashes', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    fill(store, 1, 30);
    store.write({ store: 'odd', key: 'é😀', value: { nested: [1.5, -0, 'x\u0001'] }, validTime: 5 });
    const before = store.factLogAll();
    store.checkpoint();
    await store.flush();
    await store.close();
    const again = open(path);
    expect(again.factLogAll()).toEqual(before);
    await again.close();
  });

  it('copies a frame larger than its 2 MiB read step whole', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    fill(store, 1, 10);
    const big = store.write({ store: 'big', key: 'b', value: { text: 'y'.repeat(5 * 1024 * 1024) } });
    fill(store, 12, 20);
    store.checkpoint();
    await store.flush();
    fill(store, 21, 30);
    store.checkpoint();
    await store.flush(); // copies the big frame from the old snapshot this time
    await store.close();
    const again = open(path);
    expect(again.factById(big.id)).toEqual(big);
    expect(again.factLogAll().map((f) => f.seq)).toEqual(shape(1, 30).map(([seq]) => seq));
    await again.close();
  });

  for (const file of ['log', 'snapshot'] as const) {
    it(`rejects with ERR_CORRUPT_LOG naming a damaged frame in the ${file}, changing nothing`, async () => {
      const path = join(temp.dir(), 'app.log');
      const store = open(path);
      fill(store, 1, 200);
      store.checkpoint();
      await store.flush();
      fill(store, 201, 400);
      await store.flush();
      const damagedPath = file === 'log' ? path : `${path}.snapshot`;
      const bytes = readFileSync(damagedPath);
      // A byte of a value in the middle of the file: the frame's CRC no longer matches.
      const at = bytes.indexOf('xxxxxxxxxx', Math.floor(bytes.length / 2));
      bytes[at] = (bytes[at] as number) ^ 0x20;
      writeFileSync(damagedPath, bytes);
      const snapshotBefore = readFileSync(`${path}.snapshot`);
      const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      store.checkpoint();
      const error = await store.flush().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(warnings.mock.calls.map((call) => (call[1] as { code: string }).code)).toEqual([
        'IGNITER_CHECKPOINT_FAILED',
      ]);
      warnings.mockRestore();
      // Reported once: the next flush resolves.
      await store.flush();
      expect(error).toMatchObject({
        code: 'ERR_CORRUPT_LOG',
        details: { file: damagedPath, reason: 'bad-crc' },
      });
      const offset = (error as { details: { offset: number } }).details.offset;
      expect(offset).toBeLessThanOrEqual(at);
      expect(offset).toBeGreaterThan(at - 400);
      expect(readFileSync(`${path}.snapshot`)).toEqual(snapshotBefore);
      expect(tempFiles()).toEqual([]);
      expect(store.write({ store: 'items', key: 'k', value: { n: 401 } }).seq).toBe(401);
      await store.close();
    });
  }

  it('gives up when a prune rewrites the files during the copy: the pruned value is in no file', async () => {
    const MARKER = 'CHECKPOINT-PRUNE-7d1e';
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    fill(store, 1, 5_000);
    store.checkpoint();
    await store.flush();
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    fill(store, 5_002, 10_000);
    store.checkpoint();
    const running = store.flush();
    await turn();
    expect(store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' })).toMatchObject({
      prunedCount: 1,
    });
    await expect(running).resolves.toBeUndefined();
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    expect(tempFiles()).toEqual([]);
    await store.close();
    const again = open(path);
    expect(again.read({ store: 'people', key: 'p1' })).toBeUndefined();
    const items = again.factLogAll().filter((f) => f.store === 'items');
    expect(items.map((f) => f.seq)).toEqual(
      shape(1, 10_000)
        .map(([seq]) => seq)
        .filter((seq) => seq !== 5_001),
    );
    await again.close();
  });

  it('makes close() wait for it, and two at once both complete', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    fill(store, 1, 3_000);
    store.checkpoint().checkpoint();
    await turn();
    fill(store, 3_001, 3_010);
    await store.close();
    expect(readSnapshotFile(`${path}.snapshot`, MAX_FRAME)?.lastSeq).toBe(3_010);
    expect(await reopened(path)).toEqual(shape(1, 3_010));
  });
});
