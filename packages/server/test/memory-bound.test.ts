import { join } from 'node:path';
import type { Changefeed } from '@igniter/core';
import { afterAll, describe, expect, it } from 'vitest';
import { call, keyUrl, start, tempDir } from './support/harness.js';

const temp = tempDir();
afterAll(() => temp.cleanup());

// What a store the server opens keeps in the JS heap per write is its changefeed's replay ring:
// bounded by the ring's capacity (benchmarks/RESULTS.md, "Heap per write over HTTP").
describe('memory a served store keeps per write', () => {
  it('the replay ring of a store the server opens stops at its capacity, then keeps the newest events', async () => {
    const running = await start({ path: join(temp.dir, 'bound.log') });
    try {
      const { store } = running.server;
      const changefeed = store.changefeed as Changefeed;
      const capacity = changefeed.capacity;
      expect(capacity).toBe(10_000);
      for (let i = 0; i < capacity + 500; i++) store.write({ store: 'bulk', key: `k${i % 1000}`, value: i });
      await store.flush();
      for (let i = 0; i < 100; i += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            call(keyUrl(running.url, 'http', `h${i + j}`), { method: 'PUT', body: { value: i + j } }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
      }
      const last = store.lastSeq();
      expect(last).toBe(capacity + 600);
      expect(changefeed.stats()).toMatchObject({
        subscriberCount: 0,
        published: capacity + 600,
        ring: { capacity, size: capacity, oldestSeq: last - capacity + 1, newestSeq: last },
      });
    } finally {
      await running.close();
    }
  });
});
