import { join } from 'node:path';
import { followFileStore, openFileStore } from '@igniter/backend-file';
import { Changefeed, type IgniterStore } from '@igniter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, json, keyUrl, type Running, start, tempDir } from './support/harness.js';

const temp = tempDir();
let writer: IgniterStore;
let follower: IgniterStore;
let running: Running;
let path: string;
let n = 0;

beforeEach(async () => {
  n += 1;
  path = join(temp.dir, `followed-${n}.log`);
  writer = openFileStore(path);
  writer.write({ store: 'tasks', key: 't1', value: { title: 'one' } });
  await writer.flush();
  follower = followFileStore(path, { changefeed: new Changefeed(), pollMs: 20 });
  running = await start({ store: follower });
});
afterEach(async () => {
  await running.close();
  await follower.close();
  await writer.close().catch(() => undefined);
});

describe('a server over a follower', () => {
  it('serves reads, says role follower with its lag, and refuses writes with 503 ERR_READ_ONLY', async () => {
    const before = json(await call(`${running.url}/v1/health`));
    expect(before).toMatchObject({ role: 'follower', backend: 'file', last_seq: 1, lag_ms: null });

    writer.write({ store: 'tasks', key: 't2', value: { title: 'two' } });
    await writer.flush();
    await follower.waitForSeq(2, { timeoutMs: 10_000 });
    const read = await call(keyUrl(running.url, 'tasks', 't2'));
    expect([read.status, (json(read).fact as { value: unknown }).value]).toEqual([200, { title: 'two' }]);
    // The lag is taken as the fact's change event arrives, a microtask after it was applied.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const health = json(await call(`${running.url}/v1/health`));
    expect(health).toMatchObject({ role: 'follower', last_seq: 2, fact_count: 2 });
    expect(Number.isSafeInteger(health.lag_ms) && (health.lag_ms as number) >= 0).toBe(true);
    const metrics = (await call(`${running.url}/v1/metrics`)).text;
    expect(metrics).toMatch(/^igniter_follower_lag_seconds \d+(\.\d+)?(e-?\d+)?$/m);

    const put = await call(keyUrl(running.url, 'tasks', 't3'), { method: 'PUT', body: { value: 3 } });
    expect([put.status, json(put).error_code]).toEqual([503, 'ERR_READ_ONLY']);
    const appended = await call(`${running.url}/v1/histories/log/events`, {
      method: 'POST',
      body: { event: { a: 1 } },
    });
    expect([appended.status, json(appended).error_code]).toEqual([503, 'ERR_READ_ONLY']);
    const checkpoint = await call(`${running.url}/v1/admin/checkpoint`, { method: 'POST' });
    expect([checkpoint.status, json(checkpoint).error_code]).toEqual([503, 'ERR_READ_ONLY']);
    const dispatched = await call(`${running.url}/v1/dispatch`, {
      method: 'POST',
      body: {
        protocol: 'igniter_store',
        schema_version: 1,
        op: 'write',
        packet: { store: 'tasks', key: 't3', value: 3 },
      },
    });
    expect([dispatched.status, json(dispatched).error_code]).toEqual([200, 'ERR_READ_ONLY']);
    expect(follower.lastSeq()).toBe(2);
    expect(writer.lastSeq()).toBe(2);
  });

  it('verify works on a follower; promote is 503 ERR_LOCKED while the writer lives, then makes it the writer', async () => {
    const verify = await call(`${running.url}/v1/admin/verify`, { method: 'POST' });
    expect([verify.status, json(verify).ok, json(verify).factsChecked]).toEqual([200, true, 1]);
    const locked = await call(`${running.url}/v1/admin/promote`, { method: 'POST' });
    expect([locked.status, json(locked).error_code]).toEqual([503, 'ERR_LOCKED']);

    writer.write({ store: 'tasks', key: 't2', value: 2 });
    await writer.close();
    const promoted = await call(`${running.url}/v1/admin/promote`, { method: 'POST' });
    expect([promoted.status, json(promoted)]).toEqual([200, { role: 'writer', lastSeq: 2 }]);
    expect(json(await call(`${running.url}/v1/health`))).toMatchObject({ role: 'writer', lag_ms: null });
    const put = await call(keyUrl(running.url, 'tasks', 't3'), { method: 'PUT', body: { value: 3 } });
    expect([put.status, (json(put).fact as { seq: number }).seq]).toEqual([201, 3]);
    const again = await call(`${running.url}/v1/admin/promote`, { method: 'POST' });
    expect(json(again)).toEqual({ role: 'writer', lastSeq: 3 });
  });
});
