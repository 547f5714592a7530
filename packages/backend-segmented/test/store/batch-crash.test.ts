import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { readBatchMarker } from '@igniter/core/storage';
import { expectWholeBatches, seededRandom, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(`a segmented writeMany writer (${ENGINE} engine) killed with SIGKILL at random moments`, () => {
  const temp = useTempDir('igniter-seg-batch-crash-');
  beforeAll(assertBuilt);

  it('leaves every batch over three stores wholly present or wholly absent, every acknowledged one present', async () => {
    const seed = Number(process.env.IGNITER_CRASH_SEED ?? Date.now() % 2 ** 31);
    const random = seededRandom(seed);
    let cuts = 0;
    let total = 0;
    let round = 0;
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (; round < ROUNDS || (cuts < 2 && round < MAX_ROUNDS); round++) {
        const dir = join(temp.dir(), `round-${round}`);
        const run = spawnScript('batch-child.mjs', [dir, ENGINE, 'loop', String(BATCH)]);
        // Each batch is three parts (one per store), each one write: kill about one batch's
        // time after an ack, so that kills land inside a batch, some between its parts.
        await waitForLine(run.lines, /^ack 1$/, 60_000);
        const first = Date.now();
        await waitForLine(run.lines, /^ack 2$/, 60_000);
        const cycle = Date.now() - first;
        await sleep(cycle * (0.6 + 0.5 * random()));
        run.child.kill('SIGKILL');
        await run.exited;
        const acks = run.lines.filter((l) => /^ack \d+$/.test(l)).map((l) => Number(l.slice(4)));
        const acknowledged = Math.max(0, ...acks);

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
      }
    } finally {
      warn.mockRestore();
    }
    console.log(
      `segmented batch crash (${ENGINE}): ${round} kills, ${cuts} cut a batch that lost a part in another store, ${total} whole batches`,
    );
    expect(cuts).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(ROUNDS);
    expect(readdirSync(temp.dir())).toEqual([]);
  }, 900_000);
});
