import { join } from 'node:path';
import type { ChangeSink, Fact, IgniterStore } from '@igniter/core';
import { useTempDir, waitForLine } from '@igniter/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { followFileStore, openFileStore } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const temp = useTempDir('igniter-follow-');
const log = () => join(temp.dir(), 'app.log');
const writer = (): IgniterStore => temp.track(openFileStore(log(), { engine: ENGINE }));
const follower = (options: { changefeed?: ChangeSink } = {}): IgniterStore =>
  temp.track(followFileStore(log(), { engine: ENGINE, pollMs: 50, ...options }));
const lastSeq = (store: IgniterStore): number => store.factLogAll().at(-1)?.seq ?? 0;
const codeOf = async (run: () => unknown): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a throw');
};

describe(`a file follower (${ENGINE} engine)`, () => {
  it('reads what the writer flushed, with the same ids, seqs and hashes', async () => {
    const w = writer();
    w.write({ store: 'tasks', key: 'before', value: 0 });
    await w.flush();
    const f = follower();
    const written = [1, 2, 3].map((n) => w.write({ store: 'tasks', key: `t${n}`, value: { n } }));
    await w.flush();
    await f.waitForSeq(4, { timeoutMs: 10_000 });
    expect(f.factLogAll().map((x) => [x.seq, x.id, x.valueHash])).toEqual(
      w.factLogAll().map((x) => [x.seq, x.id, x.valueHash]),
    );
    expect(f.read({ store: 'tasks', key: 't3' })).toEqual(written[2]?.value);
    expect(f.role).toBe('follower');
  });

  it('refuses writes with ERR_READ_ONLY', async () => {
    writer();
    const f = follower();
    expect(await codeOf(() => f.write({ store: 's', key: 'k', value: 1 }))).toBe('ERR_READ_ONLY');
    expect(await codeOf(() => f.checkpoint())).toBe('ERR_READ_ONLY');
    expect(await codeOf(() => f.compact())).toBe('ERR_READ_ONLY');
  });

  it('follows a compaction and a prune: the dropped facts disappear, the receipts arrive', async () => {
    const w = writer();
    const f = follower();
    w.setRetention('temp', { strategy: 'ephemeral' });
    w.write({ store: 'temp', key: 'a', value: 1 });
    w.write({ store: 'temp', key: 'a', value: 2 });
    const secret = w.write({ store: 'people', key: 'p', value: { name: 'secret' } });
    await w.flush();
    await f.waitForSeq(3, { timeoutMs: 10_000 });
    w.compact('temp');
    w.pruneFactIds({ factIds: [secret.id], reason: 'erasure' });
    w.write({ store: 'after', key: 'x', value: 1 });
    await w.flush();
    await f.waitForSeq(lastSeq(w), { timeoutMs: 10_000 });
    expect(f.factLogAll().map((x) => x.id)).toEqual(w.factLogAll().map((x) => x.id));
    expect(f.factById(secret.id)).toBeUndefined();
    expect(f.history({ store: 'temp', key: 'a' }).map((x) => x.value)).toEqual([2]);
  });

  it('emits its changefeed in seq order, each fact once, across a checkpoint', async () => {
    const w = writer();
    const seen: number[] = [];
    const f = follower({
      changefeed: { publish: (fact: Fact) => seen.push(fact.seq), attach: () => undefined },
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) w.write({ store: 's', key: `k${i}`, value: { round, i } });
      await w.flush();
      if (round === 1) await w.checkpoint().flush();
    }
    await f.waitForSeq(30, { timeoutMs: 10_000 });
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('promote() is ERR_LOCKED while the writer is open, then continues the seq once it closed', async () => {
    const w = writer();
    const f = follower();
    w.write({ store: 's', key: 'a', value: 1 });
    await w.flush();
    expect(await codeOf(() => f.promote())).toBe('ERR_LOCKED');
    expect(f.role).toBe('follower');
    w.write({ store: 's', key: 'b', value: 2 });
    await w.close();
    await f.promote();
    expect(f.role).toBe('writer');
    expect(f.factLogAll().map((x) => x.key)).toEqual(['a', 'b']);
    expect(f.write({ store: 's', key: 'c', value: 3 }).seq).toBe(3);
  });
});

describe(`a file follower of a writer process (${ENGINE} engine)`, () => {
  const children: Array<ReturnType<typeof spawnScript>> = [];
  afterEach(async () => {
    for (const { child, exited } of children.splice(0)) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('after kill -9 of the writer it promotes: every acknowledged fact is there once and seq has no gap', async () => {
    assertBuilt();
    const child = spawnScript('store-writer.mjs', [log()]);
    children.push(child);
    await waitForLine(child.lines, /^writing$/, 20_000);
    const f = follower();
    await waitForLine(child.lines, /^ack [1-9]\d{3,}$/, 30_000);
    child.child.kill('SIGKILL');
    await child.exited;
    const acked = Math.max(...child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4))));
    await f.promote();
    const next = f.write({ store: 'load', key: 'after', value: 0 });
    const seqs = f.factLogAll().map((x) => x.seq);
    expect(seqs).toEqual(Array.from({ length: next.seq }, (_, i) => i + 1));
    expect(next.seq).toBeGreaterThan(acked);
    expect(
      f
        .factLogAll()
        .slice(0, acked)
        .map((x) => x.key),
    ).toEqual(Array.from({ length: acked }, (_, i) => `k${i + 1}`));
  });
});
