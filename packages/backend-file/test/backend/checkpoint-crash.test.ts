import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const temp = useTempDir('igniter-file-');
/** A child makes 600+ fsync'd writes and two checkpoints: on a machine busy with the rest of the suite that can pass the 30 s default. */
const CHILD_RUN_MS = 90_000;

/** What `checkpoint-child.mjs` wrote up to `seq`: fact i is `k${i % 40}` = { i }. */
function expected(seq: number): Array<[number, string, unknown]> {
  return Array.from({ length: seq }, (_, n) => [n + 1, `k${(n + 1) % 40}`, { i: n + 1 }]);
}

/** Runs the child to its kill point; returns the last acknowledged seq and what it printed. */
async function runChild(
  path: string,
  phase: string,
): Promise<{ acked: number; lines: string[]; signal: string | null }> {
  const run = spawnScript('checkpoint-child.mjs', [path, engine, phase]);
  let signal: string | null = null;
  run.child.once('exit', (_code, sig) => {
    signal = sig;
  });
  await run.exited;
  const acks = run.lines.filter((l) => l.startsWith('acked ')).map((l) => Number(l.slice(6)));
  return { acked: acks.at(-1) ?? 0, lines: run.lines, signal };
}

describe(`a writer killed during a checkpoint (${engine} engine)`, () => {
  beforeAll(assertBuilt);

  // Each phase: where the child kills itself, and the temp files the next open must remove.
  const phases: Array<[string, string, (path: string) => string[]]> = [
    ['copy', 'with the snapshot temp file half written', (p) => [`${p}.snapshot.tmp-`]],
    [
      'synced',
      'with the snapshot temp file complete and fsynced, not renamed',
      (p) => [`${p}.snapshot.tmp-`],
    ],
    ['renamed', 'after the snapshot rename, before the log was replaced', () => []],
    ['wal', 'with the new log complete, not renamed', (p) => [`${p}.tmp-`]],
  ];

  for (const [phase, what, temps] of phases) {
    it(
      `${what}: a reopen holds exactly every acknowledged fact`,
      async () => {
        const path = join(temp.dir(), 'app.log');
        const { acked, lines, signal } = await runChild(path, phase);
        expect(signal).toBe('SIGKILL');
        expect(lines).not.toContain('checkpointed');
        expect(acked).toBeGreaterThanOrEqual(600);

        const backend = new FileBackend(path, { engine });
        const removed = backend
          .recoveryReport()
          .removedTempFiles.map((file) => file.replace(/tmp-\d+-[0-9a-f]+$/, 'tmp-'));
        // The native engine's checkpoint writes its image while it copies: a kill can leave that
        // temp file too (at most one), which the open removes with the others.
        const image = removed.filter((file) => file === `${path}.image.tmp-`);
        expect(image.length).toBeLessThanOrEqual(engine === 'native' ? 1 : 0);
        expect(removed.filter((file) => file !== `${path}.image.tmp-`)).toEqual(temps(path));
        expect(backend.recoveryReport().recovered).toEqual([]);
        const store = temp.track(new IgniterStore({ engine, backend }));
        expect(store.factLogAll().map((f) => [f.seq, f.key, f.value])).toEqual(expected(acked));
        expect(store.write({ store: 's', key: 'after', value: 1 }).seq).toBe(acked + 1);
        store.checkpoint();
        await store.flush();
        await store.close();
        expect(readdirSync(temp.dir()).filter((name) => name.includes('.tmp-'))).toEqual([]);

        const again = temp.track(new IgniterStore({ engine, backend: new FileBackend(path, { engine }) }));
        expect(again.factCount()).toBe(acked + 1);
        // The latest k1 is the highest i <= acked with i % 40 === 1.
        expect(again.read({ store: 's', key: 'k1' })).toEqual({ i: acked - ((acked - 1) % 40) });
        await again.close();
      },
      CHILD_RUN_MS,
    );
  }

  it(
    'without a kill, the checkpoint resolves with the writes made during it in the new log',
    async () => {
      const path = join(temp.dir(), 'app.log');
      const { acked, lines, signal } = await runChild(path, 'none');
      expect(signal).toBeNull();
      expect(lines).toContain('checkpointed');
      const backend = new FileBackend(path, { engine });
      expect(backend.recoveryReport().removedTempFiles).toEqual([]);
      const store = temp.track(new IgniterStore({ engine, backend }));
      expect(store.factLogAll().map((f) => [f.seq, f.key, f.value])).toEqual(expected(acked));
      expect(existsSync(`${path}.snapshot`)).toBe(true);
      await store.close();
    },
    CHILD_RUN_MS,
  );
});
