import { join } from 'node:path';
import { Changefeed, IgniterStore } from '@igniter/core';
import { afterAll, describe, expect, it } from 'vitest';
import { call, json, keyUrl, start, tempDir } from './support/harness.js';
import { openSse } from './support/sse.js';

const temp = tempDir();
afterAll(() => temp.cleanup());

const put = (base: string, store: string, key: string, value: unknown) =>
  call(keyUrl(base, store, key), { method: 'PUT', body: { value } });

function parsed(data: string | undefined): Record<string, unknown> {
  return JSON.parse(data ?? '{}') as Record<string, unknown>;
}

describe('GET /v1/events', () => {
  it('streams each committed fact as id: seq, event: kind, data: the change event', async () => {
    const running = await start({ path: join(temp.dir, 'live.log') });
    try {
      const stream = await openSse(`${running.url}/v1/events`);
      expect(stream.status).toBe(200);
      const fact = json(await put(running.url, 'tasks', 't1', 1)).fact as Record<string, unknown>;
      const [event] = await stream.waitFor(1);
      expect(event?.id).toBe(String(fact.seq));
      expect(event?.event).toBe('write');
      expect(parsed(event?.data)).toEqual({
        seq: fact.seq,
        kind: 'write',
        store: 'tasks',
        key: 't1',
        factId: fact.id,
        valueHash: fact.valueHash,
        transactionTime: fact.transactionTime,
      });
      stream.close();
    } finally {
      await running.close();
    }
  });

  it('after= and Last-Event-ID replay what came after the cursor, then continue live', async () => {
    const running = await start({ path: join(temp.dir, 'resume.log') });
    try {
      const seqs: number[] = [];
      for (const key of ['a', 'b', 'c'])
        seqs.push((json(await put(running.url, 's', key, key)).fact as { seq: number }).seq);
      const byQuery = await openSse(`${running.url}/v1/events?after=${seqs[0]}`);
      const byHeader = await openSse(`${running.url}/v1/events`, { 'last-event-id': String(seqs[1]) });
      await put(running.url, 's', 'd', 'd');
      const queried = await byQuery.waitFor(3);
      const headed = await byHeader.waitFor(2);
      expect(queried.map((event) => parsed(event.data).key)).toEqual(['b', 'c', 'd']);
      expect(headed.map((event) => parsed(event.data).key)).toEqual(['c', 'd']);
      byQuery.close();
      byHeader.close();
    } finally {
      await running.close();
    }
  });

  it('stores=a,b carries only those stores', async () => {
    const running = await start({ path: join(temp.dir, 'filter.log') });
    try {
      const stream = await openSse(`${running.url}/v1/events?stores=a,b`);
      for (const store of ['a', 'x', 'b', 'y']) await put(running.url, store, 'k', store);
      const events = await stream.waitFor(2);
      expect(events.map((event) => parsed(event.data).store)).toEqual(['a', 'b']);
      stream.close();
    } finally {
      await running.close();
    }
  });

  it('sends a comment line when a stream is quiet for the heartbeat interval', async () => {
    const running = await start({ path: join(temp.dir, 'beat.log'), limits: { sseHeartbeatMs: 100 } });
    try {
      const stream = await openSse(`${running.url}/v1/events`);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(
        stream.comments.filter((comment) => comment.trim() === 'heartbeat').length,
      ).toBeGreaterThanOrEqual(2);
      stream.close();
    } finally {
      await running.close();
    }
  });

  it('refuses a stream past limits.sseClients with 429 ERR_RATE_LIMITED', async () => {
    const running = await start({ path: join(temp.dir, 'cap.log'), limits: { sseClients: 2 } });
    try {
      const first = await openSse(`${running.url}/v1/events`);
      const second = await openSse(`${running.url}/v1/events`);
      const third = await call(`${running.url}/v1/events`);
      expect([third.status, json(third).error_code]).toEqual([429, 'ERR_RATE_LIMITED']);
      expect(json(await call(`${running.url}/v1/health`)).subscribers).toBe(2);
      first.close();
      second.close();
    } finally {
      await running.close();
    }
  });

  it('a given store without a changefeed answers 404', async () => {
    const store = new IgniterStore();
    const running = await start({ store });
    try {
      const answer = await call(`${running.url}/v1/events`);
      expect([answer.status, json(answer).error_code]).toEqual([404, 'ERR_NOT_FOUND']);
    } finally {
      await running.close();
    }
  });

  it('a client that does not read gets a lagged event for what its bounded queue dropped', async () => {
    const store = new IgniterStore({ changefeed: new Changefeed({ queueLimit: 4, capacity: 0 }) });
    const running = await start({ store, limits: { sseStallMs: 60_000 } });
    try {
      // A raw socket that reads nothing until the writes are done: the server's socket buffer fills,
      // the pump stops, and the subscription's queue of 4 overflows.
      const { createConnection } = await import('node:net');
      const { port } = new URL(running.url);
      const socket = createConnection({ host: '127.0.0.1', port: Number(port) });
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.pause();
      socket.write(`GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const big = 'x'.repeat(200_000);
      for (let i = 0; i < 200; i += 1) store.write({ store: 'bulk', key: `k${i}`, value: `${i}${big}` });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.resume();
      const deadline = Date.now() + 5000;
      while (!text.includes(`"key":"k199"`) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
      expect(text).toMatch(/event: lagged\ndata: \{"kind":"lagged","missedFrom":\d+,"missedTo":\d+\}/);
      expect(text).toContain('"key":"k199"');
      const delivered = [...text.matchAll(/event: write\n/g)].length;
      expect(delivered).toBeLessThan(200);
    } finally {
      await running.close();
    }
  });
});

describe('resume across a server restart', () => {
  it('a client resuming with Last-Event-ID after a restart gets every event once, with its kind', async () => {
    const path = join(temp.dir, 'restart.log');
    const first = await start({ path });
    const stream = await openSse(`${first.url}/v1/events`);
    await put(first.url, 'r', 'k1', 1);
    await call(`${first.url}/v1/histories/audit/events`, { method: 'POST', body: { event: { n: 1 } } });
    const before = await stream.waitFor(2);
    // Written while the client is between servers: it must get them after the restart.
    await put(first.url, 'r', 'k2', 2);
    await call(`${first.url}/v1/histories/audit/events`, { method: 'POST', body: { event: { n: 2 } } });
    stream.close();
    const lastId = before.at(-1)?.id ?? '';
    await first.close();

    const second = await start({ path });
    try {
      const resumed = await openSse(`${second.url}/v1/events`, { 'last-event-id': lastId });
      await put(second.url, 'r', 'k3', 3);
      const after = await resumed.waitFor(3);
      resumed.close();
      const seen = [...before, ...after];
      const seqs = seen.map((event) => Number(event.id));
      expect(seqs).toEqual(Array.from({ length: 5 }, (_, i) => (seqs[0] ?? 0) + i));
      expect(seen.map((event) => event.event)).toEqual(['write', 'append', 'write', 'append', 'write']);
      expect(seen.map((event) => parsed(event.data).kind)).toEqual([
        'write',
        'append',
        'write',
        'append',
        'write',
      ]);
    } finally {
      await second.close();
    }
  });
});
