import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expectWholeBatches, seededRandom, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openFileStore } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
/** Kills at least; then more (up to MAX_ROUNDS) until two landed inside a batch's write. */
const ROUNDS = 16;
const MAX_ROUNDS = 150;
const BATCH = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(`a writeMany writer (${ENGINE} engine) killed with SIGKILL at random moments`, () => {
  const temp = useTempDir('igniter-batch-crash-');
  beforeAll(assertBuilt);

  it('leaves every batch wholly present or wholly absent, and every acknowledged batch present', async () => {
    const seed = Number(process.env.IGNITER_CRASH_SEED ?? Date.now() % 2 ** 31);
    const random = seededRandom(seed);
    let acknowledged = 0;
    let cuts = 0;
    let total = 0;
    let round = 0;
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (; round < ROUNDS || (cuts < 2 && round < MAX_ROUNDS); round++) {
        // A new log per round keeps the disk use down (each batch is about 20 MiB).
        const path = join(temp.dir(), `batches-${round}.log`);
        acknowledged = 0;
        const run = spawnScript('batch-writer.mjs', [path, ENGINE, String(BATCH)]);
        // Past the first batch the writer does little else than write batches, each one ending
        // with its write: kill about one batch's time after an ack, mostly near the end of the
        // next batch (where its write is), whatever the machine's speed.
        await waitForLine(run.lines, /^ack 1$/, 60_000);
        const first = Date.now();
        await waitForLine(run.lines, /^ack 2$/, 60_000);
        const cycle = Date.now() - first;
        await sleep(cycle * (0.6 + 0.5 * random()));
        run.child.kill('SIGKILL');
        await run.exited;
        const acks = run.lines.filter((l) => /^ack \d+$/.test(l)).map((l) => Number(l.slice(4)));
        acknowledged = Math.max(acknowledged, ...acks);

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
      }
    } finally {
      warn.mockRestore();
    }
    console.log(
      `batch crash (${ENGINE}): ${round} kills, ${cuts} cut a partly written batch, ${total} whole batches`,
    );
    // Kills landed inside a batch's write, and open cut the part of it that was written.
    expect(cuts).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(ROUNDS);
  }, 900_000);
});
