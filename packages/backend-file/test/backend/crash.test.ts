import { join } from 'node:path';
import { crashRounds, crashSeed, killAtRandom, seededRandom, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';
import { crashFact } from '../support/crash-fact.mjs';

const ROUNDS = 40;

describe('a writer killed with SIGKILL at random moments', () => {
  const temp = useTempDir('igniter-file-');
  beforeAll(assertBuilt);

  it('loses no acknowledged fact and leaves nothing else, over many kills of the same log', async () => {
    const seed = crashSeed();
    const random = seededRandom(seed);
    const path = join(temp.dir(), 'crash.log');
    let acknowledged = 0;
    let killedWhileWriting = 0;
    const rounds = { min: ROUNDS, max: ROUNDS, more: () => false };
    await crashRounds(rounds, async (round) => {
      const run = spawnScript('crash-writer.mjs', [path]);
      // Mostly kill while writing; sometimes during startup and recovery.
      if (await killAtRandom(run, random, { writingMs: 40, startupShare: 0.2 })) killedWhileWriting += 1;
      const acks = run.lines.filter((l) => /^\d+ \d+$/.test(l)).map((l) => Number(l.split(' ')[0]));
      if (acks.length > 0) acknowledged = acks[acks.length - 1] as number;

      const backend = new FileBackend(path);
      const facts = [...backend.replay()];
      const context = `seed ${seed}, round ${round}, acknowledged ${acknowledged}`;
      // Every acknowledged fact, intact; beyond them at most the one write the kill interrupted
      // after it had returned but before its seq was printed.
      expect(facts.length, context).toBeGreaterThanOrEqual(acknowledged);
      expect(facts.length, context).toBeLessThanOrEqual(acknowledged + 1);
      expect(facts, context).toEqual(facts.map((_, i) => crashFact(i + 1)));
      expect(backend.highWaterSeq(), context).toBe(facts.length);
      acknowledged = facts.length;
      await backend.close();
    });
    expect(killedWhileWriting).toBeGreaterThan(ROUNDS / 2);
    expect(acknowledged).toBeGreaterThan(ROUNDS);
  }, 60_000);

  it("with durability 'group', keeps a prefix holding every fact known durable, and nothing else", async () => {
    const seed = crashSeed();
    const random = seededRandom(seed);
    const path = join(temp.dir(), 'group.log');
    let present = 0;
    await crashRounds({ min: 10, max: 10, more: () => false }, async (round) => {
      const run = spawnScript('crash-writer.mjs', [path, 'group']);
      await killAtRandom(run, random, { writingMs: 40, minMs: 5, startupShare: 0 });
      const last = run.lines.filter((l) => /^\d+ \d+$/.test(l)).pop();
      const durable = last === undefined ? present : Number(last.split(' ')[1]);
      const written = last === undefined ? present : Number(last.split(' ')[0]);

      const backend = new FileBackend(path);
      const facts = [...backend.replay()];
      const context = `seed ${seed}, round ${round}, durable ${durable}, written ${written}`;
      expect(facts.length, context).toBeGreaterThanOrEqual(durable);
      expect(facts.length, context).toBeLessThanOrEqual(written + 1);
      expect(facts, context).toEqual(facts.map((_, i) => crashFact(i + 1)));
      present = facts.length;
      await backend.close();
    });
    expect(present).toBeGreaterThan(10);
  }, 60_000);
});
