import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@igniter/backend-file';
import { Changefeed } from '@igniter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, json, keyUrl, start, tempDir } from './support/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const temp = tempDir();
afterAll(() => temp.cleanup());

beforeAll(() => {
  if (!existsSync(join(here, '..', 'dist', 'index.js')))
    throw new Error('build @igniter/server first (pnpm build)');
});

/** Starts a serving child process on `path`; resolves with it and its URL. */
function serveChild(path: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(here, 'support', 'serve-child.mjs'), path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`the serving child exited (${code}) before listening`)));
  });
}

describe('group commit over HTTP', () => {
  it('a burst of 64 concurrent writers is answered durably by fewer than half as many flushes', async () => {
    const path = join(temp.dir, 'burst.log');
    const store = openFileStore(path, { changefeed: new Changefeed() });
    let flushes = 0;
    const flush = store.flush.bind(store);
    store.flush = async () => {
      flushes += 1;
      await flush();
    };
    const running = await start({ store });
    try {
      const answers = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          call(keyUrl(running.url, 'burst', `k${i}`), { method: 'PUT', body: { value: i } }),
        ),
      );
      expect(answers.every((answer) => answer.status === 201)).toBe(true);
      expect(flushes).toBeGreaterThanOrEqual(1);
      expect(flushes).toBeLessThan(32);
      const metrics = (await call(`${running.url}/v1/metrics`)).text;
      expect(metrics).toContain(`igniter_flushes_total ${flushes}`);
      expect(metrics).toContain('igniter_flush_requests_sum 64');
    } finally {
      await running.close();
      await store.close();
    }
  });

  it('a failed flush answers its writers 500 ERR_INTERNAL, not 201; a later flush serves the retry', async () => {
    const path = join(temp.dir, 'failing-flush.log');
    const store = openFileStore(path, { changefeed: new Changefeed() });
    const flush = store.flush.bind(store);
    let failing = true;
    store.flush = async () => {
      await flush();
      if (failing) throw new Error('the disk went away');
    };
    const running = await start({ store });
    try {
      const failed = await Promise.all(
        ['a', 'b'].map((key) =>
          call(keyUrl(running.url, 'flaky', key), { method: 'PUT', body: { value: key } }),
        ),
      );
      expect(failed.map((answer) => [answer.status, json(answer).error_code])).toEqual([
        [500, 'ERR_INTERNAL'],
        [500, 'ERR_INTERNAL'],
      ]);
      failing = false;
      const retried = await call(keyUrl(running.url, 'flaky', 'a'), { method: 'PUT', body: { value: 'a2' } });
      expect(retried.status).toBe(201);
      const fact = json(retried).fact as { seq: number };
      expect(retried.headers.get('etag')).toBe(`"${fact.seq}"`);
      expect(fact).toMatchObject({ store: 'flaky', key: 'a', value: 'a2' });
    } finally {
      await running.close();
      await store.close();
    }
  });
});

describe('kill -9 of a serving process', () => {
  it('loses no acknowledged write: every 201 is in the store after a restart', async () => {
    const path = join(temp.dir, 'crash.log');
    const { child, url } = await serveChild(path);
    const acknowledged = new Map<string, { id: string; seq: number }>();
    let stop = false;
    const writer = async (lane: number): Promise<void> => {
      for (let i = 0; !stop; i += 1) {
        try {
          const answer = await call(keyUrl(url, 'crash', `${lane}-${i}`), {
            method: 'PUT',
            body: { value: { lane, i } },
          });
          if (answer.status === 201)
            acknowledged.set(`${lane}-${i}`, json(answer).fact as { id: string; seq: number });
        } catch {
          return; // the server is gone
        }
      }
    };
    const lanes = Array.from({ length: 16 }, (_, lane) => writer(lane));
    while (acknowledged.size < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    stop = true;
    await Promise.all(lanes);

    const store = openFileStore(path);
    try {
      for (const [key, fact] of acknowledged) {
        expect(store.readFact({ store: 'crash', key })).toMatchObject({ id: fact.id, seq: fact.seq });
      }
      expect(acknowledged.size).toBeGreaterThanOrEqual(300);
    } finally {
      await store.close();
    }
  });

  it('a restarted server serves every acknowledged write and carries on the seq', async () => {
    const path = join(temp.dir, 'restart.log');
    const first = await serveChild(path);
    const facts = [];
    for (let i = 0; i < 20; i += 1) {
      facts.push(
        json(await call(keyUrl(first.url, 'r', `k${i}`), { method: 'PUT', body: { value: i } })).fact as {
          seq: number;
        },
      );
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const second = await serveChild(path);
    try {
      expect(json(await call(keyUrl(second.url, 'r', 'k19'))).fact).toMatchObject({
        value: 19,
        seq: facts[19]?.seq,
      });
      const next = json(await call(keyUrl(second.url, 'r', 'k20'), { method: 'PUT', body: { value: 20 } }))
        .fact as { seq: number };
      expect(next.seq).toBe((facts[19]?.seq ?? 0) + 1);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  });
});
