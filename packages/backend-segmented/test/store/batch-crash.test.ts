import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { readBatchMarker } from '@igniter/core/storage';
import {
  crashRounds,
  crashSeed,
  expectWholeBatches,
  killBatchWriter,
  seededRandom,
  useTempDir,
} from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
/** Kills at least; then more (up to MAX_ROUNDS) until two landed between a batch's parts. */
const ROUNDS = 12;
const MAX_ROUNDS = 120;
const BATCH = 6_000;

/** True when `bytes` start with a part marker followed by all of its part. */
function startsWithWholePart(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  const length = bytes.readUInt32BE(0);
  const marker = bytes.length >= 8 + length ? readBatchMarker(bytes, 4, 4 + length) : null;
  return marker?.span !== undefined && bytes.length >= 8 + length + marker.bytes;
}

describe(`a segmented writeMany writer (${ENGINE} engine) killed with SIGKILL at random moments`, () => {
  const temp = useTempDir('igniter-seg-batch-crash-');
  beforeAll(assertBuilt);

  it('leaves every batch over three stores wholly present or wholly absent, every acknowledged one present', async () => {
    const seed = crashSeed();
    const random = seededRandom(seed);
    let cuts = 0;
    let total = 0;
    const count = { min: ROUNDS, max: MAX_ROUNDS, more: () => cuts < 2 };
    const rounds = await crashRounds(count, async (round) => {
      const dir = join(temp.dir(), `round-${round}`);
      // Each batch is three parts (one per store), each one write: kills land inside a batch,
      // some between its parts.
      const run = spawnScript('batch-child.mjs', [dir, ENGINE, 'loop', String(BATCH)]);
      const acknowledged = await killBatchWriter(run, random);

      const backend = new SegmentedFileBackend(dir, { durability: 'none' });
      const store = new IgniterStore({ engine: ENGINE, backend });
      const context = `seed ${seed}, round ${round}, acknowledged ${acknowledged}`;
      const batches = expectWholeBatches(store.factLogAll(), BATCH, acknowledged, context);
      const recovered = store.storageStats()?.recovered ?? [];
      for (const cut of recovered) expect(cut.reason, context).toBe('incomplete');
      // A cut that starts with a whole part: the batch lost a part in another store.
      if (recovered.some((cut) => startsWithWholePart(readFileSync(cut.sideFile)))) cuts += 1;
      total += batches;
      await store.close();
      rmSync(dir, { recursive: true });
    });
    console.log(
      `segmented batch crash (${ENGINE}): ${rounds} kills, ${cuts} cut a batch that lost a part in another store, ${total} whole batches`,
    );
    expect(cuts).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(ROUNDS);
    expect(readdirSync(temp.dir())).toEqual([]);
  }, 900_000);
});
