import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/index.js';
import { assertBuilt } from '../support/child.js';

const dist = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/index.js')).href;
const engine = process.env.IGNITER_ENGINE ?? 'auto';

const temp = useTempDir('igniter-file-');
let open: IgniterStore[] = [];
beforeEach(() => {
  open = [];
});
afterEach(async () => {
  for (const store of open) await store.close();
});
const logPath = (): string => join(temp.dir(), 'facts.log');

function reopen(path: string): IgniterStore {
  const store = openFileStore(path, { durability: 'fsync' });
  open.push(store);
  return store;
}

describe(`idempotency and expect across a reopen (${engine} engine)`, () => {
  it('returns the original fact for a retried write after a reopen and writes nothing', async () => {
    const path = logPath();
    const first = openFileStore(path, { durability: 'fsync' });
    const original = first.write({
      store: 'payments',
      key: 'p1',
      value: { amount: 5 },
      idempotencyKey: 'req-1',
    });
    await first.close();

    const store = reopen(path);
    const retried = store.write({
      store: 'payments',
      key: 'p1',
      value: { amount: 5 },
      idempotencyKey: 'req-1',
    });
    expect(retried).toEqual(original);
    expect(store.factCount()).toBe(1);
    expect(() =>
      store.write({ store: 'payments', key: 'p1', value: { amount: 6 }, idempotencyKey: 'req-1' }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFLICT',
        details: { store: 'payments', idempotencyKey: 'req-1', factId: original.id },
      }),
    );
  });

  it('checks expect against the seq persisted before the reopen', async () => {
    const path = logPath();
    const first = openFileStore(path, { durability: 'fsync' });
    const latest = first.write({ store: 'accounts', key: 'a1', value: { balance: 10 } });
    await first.close();

    const store = reopen(path);
    expect(() =>
      store.write({ store: 'accounts', key: 'a1', value: { balance: 0 }, expect: { absent: true } }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_CONFLICT', details: expect.objectContaining({ actualSeq: 1 }) }),
    );
    const next = store.write({
      store: 'accounts',
      key: 'a1',
      value: { balance: 12 },
      expect: { seq: latest.seq },
    });
    expect(next.seq).toBe(2);
  });

  it('returns the original fact when an append is retried after the writer crashed', () => {
    assertBuilt();
    const path = logPath();
    // The child appends durably, reports the fact, then dies without closing (SIGKILL).
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openFileStore } = await import(${JSON.stringify(dist)});
         const store = openFileStore(${JSON.stringify(path)}, { durability: 'fsync' });
         const fact = store.append({ history: 'payments', event: { amount: 5 }, idempotencyKey: 'req-42' });
         process.stdout.write(JSON.stringify(fact), () => process.kill(process.pid, 'SIGKILL'));`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.signal).toBe('SIGKILL');
    const acknowledged = JSON.parse(child.stdout) as { id: string; seq: number; key: string };

    const store = reopen(path);
    const retried = store.append({ history: 'payments', event: { amount: 5 }, idempotencyKey: 'req-42' });
    expect(retried).toMatchObject({ id: acknowledged.id, seq: acknowledged.seq, key: acknowledged.key });
    expect(store.history({ store: 'payments' })).toHaveLength(1);
  });

  it('releases the key of a pruned fact, also after a reopen', async () => {
    const path = logPath();
    const first = openFileStore(path, { durability: 'fsync' });
    const fact = first.write({ store: 'payments', key: 'p1', value: { amount: 5 }, idempotencyKey: 'req-1' });
    first.pruneFactIds({ factIds: [fact.id], reason: 'test' });
    await first.close();

    const store = reopen(path);
    const again = store.write({
      store: 'payments',
      key: 'p1',
      value: { amount: 7 },
      idempotencyKey: 'req-1',
    });
    expect(again.id).not.toBe(fact.id);
    expect(store.read({ store: 'payments', key: 'p1' })).toEqual({ amount: 7 });
  });
});
