import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangeEvent } from '@igniter/core';
import { Changefeed, IgniterStore } from '@igniter/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChangeStream, createClient, IgniterError } from '../src/index.js';
import { type Running, startServer, tempDir } from './support/server.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Pulls `count` events from an iterator (the subscription stays open). */
async function take(iterator: AsyncIterator<ChangeEvent>, count: number): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

function seqsOf(events: ChangeEvent[]): number[] {
  return events.map((event) => (event.kind === 'lagged' ? -1 : event.seq));
}

/** A served in-memory store with a changefeed, its client, closed after the test. */
async function servedMemory(changefeed = new Changefeed()) {
  const store = new IgniterStore({ changefeed });
  const running = await startServer({ store });
  cleanups.push(async () => {
    await running.close();
    await store.close();
  });
  return { store, running, client: createClient({ url: running.url }) };
}

/** A served file store that a test can stop and start again on the same port; put away after the test. */
async function restartable(name: string) {
  const temp = tempDir();
  const path = join(temp.dir, `${name}.log`);
  let running: Running = await startServer({ path });
  const port = running.port;
  cleanups.push(async () => {
    await running.close();
    temp.cleanup();
  });
  return {
    client: createClient({ url: running.url }),
    stop: () => running.close(),
    async start() {
      running = await startServer({ path, port });
    },
  };
}

function opened(stream: ChangeStream): AsyncIterator<ChangeEvent> {
  cleanups.push(() => stream.close());
  return stream[Symbol.asyncIterator]();
}

describe('client.subscribe', () => {
  it('without after, delivers what is written after subscribe(), not before', async () => {
    const { store, client } = await servedMemory();
    store.write({ store: 'a', key: 'before', value: 0 });
    const stream = client.subscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const iterator = opened(stream);
    const pending = take(iterator, 2);
    store.write({ store: 'a', key: 'k1', value: 1 });
    await client.write({ store: 'a', key: 'k2', value: 2 });
    const events = await pending;
    expect(events.map((event) => event.kind === 'write' && [event.seq, event.key])).toEqual([
      [2, 'k1'],
      [3, 'k2'],
    ]);
    expect(stream.cursor).toBe(3);
  });

  it('with after, first replays every event past the cursor, with the library event shape', async () => {
    const { store, client } = await servedMemory();
    const facts = [1, 2, 3].map((n) => store.write({ store: 'a', key: `k${n}`, value: n }));
    const events = await take(opened(client.subscribe({ after: 1 })), 2);
    expect(events).toEqual(
      facts.slice(1).map((fact) => ({
        seq: fact.seq,
        kind: 'write',
        store: 'a',
        key: fact.key,
        factId: fact.id,
        valueHash: fact.valueHash,
        transactionTime: fact.transactionTime,
      })),
    );
  });

  it('with stores, delivers only those stores', async () => {
    const { store, client } = await servedMemory();
    store.write({ store: 'a', key: 'x', value: 1 });
    store.write({ store: 'b', key: 'y', value: 1 });
    store.write({ store: 'a', key: 'z', value: 1 });
    const events = await take(opened(client.subscribe({ after: 0, stores: ['a'] })), 2);
    expect(events.map((event) => event.kind !== 'lagged' && event.key)).toEqual(['x', 'z']);
  });

  it('close() ends a pending next() with done', async () => {
    const { client } = await servedMemory();
    const stream = client.subscribe({ after: 0 });
    const pending = stream[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('close() between events releases the connection: the server counts no subscriber', async () => {
    const { store, client } = await servedMemory();
    store.write({ store: 'a', key: 'k', value: 1 });
    const stream = client.subscribe({ after: 0 });
    await stream[Symbol.asyncIterator]().next();
    expect((await client.health()).subscribers).toBe(1);
    stream.close();
    const deadline = Date.now() + 5000;
    while ((await client.health()).subscribers > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await client.health()).subscribers).toBe(0);
  });

  it('a program that closes its subscription exits on its own (no timer left behind)', async () => {
    const { store, running } = await servedMemory();
    store.write({ store: 'a', key: 'k', value: 1 });
    const program = [
      "import { createClient } from '@igniter/client';",
      `const feed = createClient({ url: ${JSON.stringify(running.url)} }).subscribe({ after: 0, idleTimeoutMs: 600000 });`,
      'const first = await feed[Symbol.asyncIterator]().next();',
      'feed.close();',
      'console.log(first.value.seq);',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: packageDir });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    const timer = setTimeout(() => child.kill(), 20_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(stdout).toBe('1\n');
  });

  it('a cursor past the server last seq throws ERR_INVALID_ARGUMENT with its details', async () => {
    const { client } = await servedMemory();
    const error = await opened(client.subscribe({ after: 50 }))
      .next()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(IgniterError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', details: { after: 50, lastSeq: 0 } });
  });

  it('a token that may not read a store it asks for throws ERR_FORBIDDEN', async () => {
    const temp = tempDir();
    const running = await startServer({
      path: join(temp.dir, 'sub-auth.log'),
      tokens: [{ name: 'viewer', token: 'viewer-secret', read: ['public'] }],
    });
    cleanups.push(async () => {
      await running.close();
      temp.cleanup();
    });
    const client = createClient({ url: running.url, token: 'viewer-secret' });
    const error = await opened(client.subscribe({ after: 0, stores: ['secret'] }))
      .next()
      .catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('across a server restart, delivers every event once: none skipped, none repeated', async () => {
    const served = await restartable('restart');
    const client = served.client;
    const stream = client.subscribe({ after: 0, backoff: { minDelayMs: 50, maxDelayMs: 200 } });
    const iterator = opened(stream);
    await client.write({ store: 'r', key: 'k1', value: 1 });
    await client.append({ history: 'audit', event: { n: 1 } });
    const before = await take(iterator, 2);
    // Committed while the subscriber is still reading the first server: it has not seen them yet.
    await client.write({ store: 'r', key: 'k2', value: 2 });
    await client.append({ history: 'audit', event: { n: 2 } });
    await served.stop();
    await served.start();
    // The idempotency key lets the write be resent if it meets a pooled connection the old server closed.
    await client.write({ store: 'r', key: 'k3', value: 3, idempotencyKey: 'k3' });
    const after = await take(iterator, 3);
    const all = [...before, ...after];
    expect(seqsOf(all)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((event) => event.kind)).toEqual(['write', 'append', 'write', 'append', 'write']);
    await client.write({ store: 'r', key: 'k4', value: 4 });
    expect(seqsOf(await take(iterator, 1))).toEqual([6]);
  });

  it('keeps retrying while the server is down, and resumes once it is back', async () => {
    const served = await restartable('down');
    const client = served.client;
    const iterator = opened(client.subscribe({ after: 0, backoff: { minDelayMs: 20, maxDelayMs: 100 } }));
    await client.write({ store: 'd', key: 'k1', value: 1 });
    expect(seqsOf(await take(iterator, 1))).toEqual([1]);
    await served.stop();
    const pending = take(iterator, 2);
    // Several reconnect attempts fail (ERR_NETWORK) while nothing listens.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await served.start();
    await client.write({ store: 'd', key: 'k2', value: 2, idempotencyKey: 'k2' });
    await client.write({ store: 'd', key: 'k3', value: 3 });
    expect(seqsOf(await pending)).toEqual([2, 3]);
  });

  it('passes a lagged event through when the server dropped events for a slow reader', async () => {
    const { store, client } = await servedMemory(new Changefeed({ queueLimit: 4, capacity: 0 }));
    store.write({ store: 'bulk', key: 'start', value: 0 });
    const iterator = opened(client.subscribe({ after: 0 }));
    expect(await iterator.next()).toMatchObject({ value: { kind: 'write', key: 'start' } });
    // The reader pulls nothing while 200 large facts are committed: the socket fills, the
    // server stops pumping and its queue of 4 overflows.
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 200; i += 1) store.write({ store: 'bulk', key: `k${i}`, value: `${i}${big}` });
    const events: ChangeEvent[] = [];
    while (!events.some((event) => event.kind !== 'lagged' && event.key === 'k199')) {
      const next = await iterator.next();
      if (next.done) break;
      events.push(next.value);
    }
    const lagged = events.filter((event) => event.kind === 'lagged');
    expect(lagged.length).toBeGreaterThan(0);
    const writes = events.filter((event) => event.kind === 'write');
    expect(writes.length).toBeLessThan(200);
    // Every delivered or missed seq after 'start' (seq 1) is accounted for exactly once, in order.
    const covered = events.flatMap((event) =>
      event.kind === 'lagged'
        ? Array.from({ length: event.missedTo - event.missedFrom + 1 }, (_, i) => event.missedFrom + i)
        : [event.seq],
    );
    expect(covered).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
  });
});
