import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  crashRounds,
  crashSeed,
  expectWholeBatches,
  killBatchWriter,
  seededRandom,
  useTempDir,
} from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
/** Kills at least; then more (up to MAX_ROUNDS) until two landed inside a batch's write. */
const ROUNDS = 16;
const MAX_ROUNDS = 150;
const BATCH = 10_000;

describe(`a writeMany writer (${ENGINE} engine) killed with SIGKILL at random moments`, () => {
  const temp = useTempDir('igniter-batch-crash-');
  beforeAll(assertBuilt);

  it('leaves every batch wholly present or wholly absent, and every acknowledged batch present', async () => {
    const seed = crashSeed();
    const random = seededRandom(seed);
    let cuts = 0;
    let total = 0;
    const count = { min: ROUNDS, max: MAX_ROUNDS, more: () => cuts < 2 };
    const rounds = await crashRounds(count, async (round) => {
      // A new log per round keeps the disk use down (each batch is about 20 MiB).
      const path = join(temp.dir(), `batches-${round}.log`);
      const run = spawnScript('batch-writer.mjs', [path, ENGINE, String(BATCH)]);
      const acknowledged = await killBatchWriter(run, random);

      const store = openFileStore(path, { engine: ENGINE, durability: 'none' });
      const context = `seed ${seed}, round ${round}, acknowledged ${acknowledged}`;
      // Batches 1..n, each whole; n is every acknowledged batch, plus at most the one the
      // kill interrupted after its write returned but before its ack was printed.
      const batches = expectWholeBatches(store.factLogAll(), BATCH, acknowledged, context);
      const recovered = store.storageStats()?.recovered ?? [];
      cuts += recovered.length;
      for (const cut of recovered) expect(cut.reason, context).toBe('incomplete');
      total += batches;
      await store.close();
      for (const file of readdirSync(dirname(path))) rmSync(join(dirname(path), file), { force: true });
    });
    console.log(
      `batch crash (${ENGINE}): ${rounds} kills, ${cuts} cut a partly written batch, ${total} whole batches`,
    );
    // Kills landed inside a batch's write, and open cut the part of it that was written.
    expect(cuts).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(ROUNDS);
  }, 900_000);
});
