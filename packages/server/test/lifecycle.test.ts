import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { afterAll, describe, expect, it } from 'vitest';
import { call, json, keyUrl, start, tempDir } from './support/harness.js';
import { openSse } from './support/sse.js';

const temp = tempDir();
afterAll(() => temp.cleanup());

describe('close()', () => {
  it('ends SSE streams, answers requests in flight, flushes and releases a store it opened', async () => {
    const path = join(temp.dir, 'drain.log');
    const running = await start({ path });
    const stream = await openSse(`${running.url}/v1/events`);
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      call(keyUrl(running.url, 'drain', `k${i}`), { method: 'PUT', body: { value: i } }),
    );
    // Settled from the start: a request the closing server resets before accepting it rejects
    // while close() runs, and must not count as an unhandled rejection.
    const settled = Promise.allSettled(inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    await running.close();
    await stream.ended;
    const answers = await settled;
    const created = answers.filter((a) => a.status === 'fulfilled' && a.value.status === 201);
    const store = openFileStore(path);
    try {
      // Every write that was answered 201 is on disk; the log lock was released.
      expect(store.keys({ store: 'drain' }).length).toBeGreaterThanOrEqual(created.length);
      for (const answer of created) {
        if (answer.status !== 'fulfilled') continue;
        const fact = json(answer.value).fact as { key: string; seq: number };
        expect(store.readFact({ store: 'drain', key: fact.key })?.seq).toBe(fact.seq);
      }
    } finally {
      await store.close();
    }
  });

  it('a given store stays open after close()', async () => {
    const path = join(temp.dir, 'given.log');
    const store = openFileStore(path);
    const running = await start({ store });
    await call(keyUrl(running.url, 'g', 'k'), { method: 'PUT', body: { value: 1 } });
    await running.close();
    expect(store.write({ store: 'g', key: 'k2', value: 2 }).seq).toBe(2);
    await store.close();
  });

  it('close() twice resolves both times', async () => {
    const running = await start({ path: join(temp.dir, 'twice.log') });
    await Promise.all([running.close(), running.close()]);
    await expect(running.close()).resolves.toBeUndefined();
  });
});

describe('limits.requestsPerSecond', () => {
  it('answers 429 ERR_RATE_LIMITED past the per-token rate, counted per token', async () => {
    const running = await start({
      path: join(temp.dir, 'rate.log'),
      tokens: [
        { name: 'a', token: 'token-a', admin: true },
        { name: 'b', token: 'token-b', admin: true },
      ],
      limits: { requestsPerSecond: 5 },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1)
        statuses.push((await call(`${running.url}/v1/stores`, { token: 'token-a' })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const limited = await call(`${running.url}/v1/stores`, { token: 'token-a' });
      expect(json(limited).error_code).toBe('ERR_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await call(`${running.url}/v1/stores`, { token: 'token-b' })).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
