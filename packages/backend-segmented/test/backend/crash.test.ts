import { join } from 'node:path';
import { crashRounds, crashSeed, killAtRandom, seededRandom, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';
import { crashFact } from '../support/crash-fact.mjs';

const ROUNDS = 24;
/** Rounds go on past ROUNDS (up to this many) until the directory has what the test needs. */
const MAX_ROUNDS = ROUNDS * 8;

describe('a writer killed with SIGKILL at random moments', () => {
  const temp = useTempDir('igniter-seg-');
  beforeAll(assertBuilt);

  // 'group' writes each frame through to the OS and fsyncs in batches, so a process crash (unlike
  // a power loss) loses no acknowledged fact there either.
  it.each(['fsync', 'group'])(
    'with durability %s loses no acknowledged fact and leaves nothing else, over many kills',
    async (durability) => {
      const seed = crashSeed();
      const random = seededRandom(seed);
      const dir = join(temp.dir(), 'crash');
      let acknowledged = 0;
      let killedWhileWriting = 0;
      // A loaded machine writes less per round: go on until the kills have hit a directory with
      // many rotated segments in every store (checked after the loop), never fewer than ROUNDS.
      let fewestSealed = 0;
      const count = {
        min: ROUNDS,
        max: MAX_ROUNDS,
        more: () => !(fewestSealed > 3 && acknowledged > ROUNDS),
      };
      const rounds = await crashRounds(count, async (round) => {
        const run = spawnScript('crash-writer.mjs', [dir, durability]);
        // Mostly kill while writing; sometimes during startup and recovery.
        if (await killAtRandom(run, random, { writingMs: 60, startupShare: 0.2 })) killedWhileWriting += 1;
        const acks = run.lines.filter((l) => /^\d+$/.test(l)).map(Number);
        if (acks.length > 0) acknowledged = acks[acks.length - 1] as number;

        const backend = new SegmentedFileBackend(dir);
        const facts = [...backend.replay()];
        const context = `${durability}, seed ${seed}, round ${round}, acknowledged ${acknowledged}`;
        // Every acknowledged fact, intact; beyond them at most the one write the kill interrupted
        // after it had returned but before its seq was printed.
        expect(facts.length, context).toBeGreaterThanOrEqual(acknowledged);
        expect(facts.length, context).toBeLessThanOrEqual(acknowledged + 1);
        facts.forEach((fact, i) => {
          expect(fact, context).toEqual(crashFact(i + 1));
        });
        expect(backend.highWaterSeq(), context).toBe(facts.length);
        acknowledged = facts.length;
        const lists = Object.values(backend.segmentManifest().stores);
        fewestSealed =
          lists.length < 3 ? 0 : Math.min(...lists.map((l) => l.filter((seg) => seg.sealed).length));
        await backend.close();
      });
      expect(killedWhileWriting).toBeGreaterThan(rounds / 2);
      expect(acknowledged).toBeGreaterThan(ROUNDS);
      // The kills hit a directory with many rotated and checkpointed segments in every store.
      const last = new SegmentedFileBackend(dir);
      const stores = last.segmentManifest().stores;
      await last.close();
      expect(Object.keys(stores).sort()).toEqual(['Gamma', 'alpha', 'beta/../x']);
      for (const list of Object.values(stores))
        expect(list.filter((s) => s.sealed).length).toBeGreaterThan(3);
    },
    180_000,
  );
});
