import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { call, healthAt, put, writeLoad } from './support/http.js';
import { assertBuilt, exited, igniter, igniterProcess } from './support/igniter.js';

const pgUrl = inject('pgUrl');
const URL_LINE = /at (http:\/\/127\.0\.0\.1:\d+)\n/;
const started: ChildProcess[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await exited(child);
  }
});

const freshSchema = (): string => `cli_${randomBytes(6).toString('hex')}`;

async function serve(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const running = await igniterProcess(['serve', ...args, '--port', '0', '--log-level', 'silent'], URL_LINE);
  started.push(running.child);
  return { url: running.match[1] as string, child: running.child, output: running.output };
}

describe('igniter serve --postgres', () => {
  it('serves the PostgreSQL writer and a --follow follower; a second writer exits 1 with ERR_LOCKED', async () => {
    const schema = freshSchema();
    const writer = await serve(['--postgres', pgUrl, '--schema', schema]);
    expect(writer.output()).toMatch(/^igniter serving postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres \(/);
    expect((await put(writer.url, 'tasks', 't1', { title: 'one' })).status).toBe(201);
    expect((await call(`${writer.url}/v1/health`)).body).toMatchObject({
      backend: 'postgres',
      role: 'writer',
      lag_ms: null,
      last_seq: 1,
    });

    const second = igniter(['serve', '--postgres', pgUrl, '--schema', schema, '--port', '0']);
    expect([second.code, second.stderr]).toEqual([1, expect.stringContaining('ERR_LOCKED')]);

    const follower = await serve(['--postgres', pgUrl, '--schema', schema, '--follow']);
    expect(follower.output()).toContain('igniter serving a read-only follower of postgresql://');
    expect((await put(writer.url, 'tasks', 't2', { title: 'two' })).status).toBe(201);
    const health = await healthAt(follower.url, 2);
    expect(health).toMatchObject({ backend: 'postgres', role: 'follower', fact_count: 2 });
    expect(typeof health.lag_ms).toBe('number');
    const read = await call(`${follower.url}/v1/stores/tasks/keys/t2`);
    expect((read.body.fact as { value: unknown }).value).toEqual({ title: 'two' });
    const refused = await put(follower.url, 'tasks', 't3', 3);
    expect([refused.status, refused.body.error_code]).toEqual([503, 'ERR_READ_ONLY']);

    for (const { child } of [follower, writer]) {
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
    }
    // The writer's facts outlive it: a new writer opens them.
    const reopened = await serve(['--postgres', pgUrl, '--schema', schema]);
    expect((await call(`${reopened.url}/v1/health`)).body).toMatchObject({ fact_count: 2, last_seq: 2 });
  });

  it('after kill -9 of the writer under load, a follower promotes: every acknowledged write is there once, seq has no gap', async () => {
    const schema = freshSchema();
    const writer = await serve(['--postgres', pgUrl, '--schema', schema]);
    const follower = await serve(['--postgres', pgUrl, '--schema', schema, '--follow']);
    const load = writeLoad(writer.url, 8);
    await load.acknowledged(200);
    writer.child.kill('SIGKILL');
    await exited(writer.child);
    const acked = await load.stop();
    expect(acked.length).toBeGreaterThanOrEqual(200);

    let promoted = await call(`${follower.url}/v1/admin/promote`, { method: 'POST' });
    for (let tries = 0; promoted.status === 503 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      promoted = await call(`${follower.url}/v1/admin/promote`, { method: 'POST' });
    }
    expect([promoted.status, promoted.body.role]).toEqual([200, 'writer']);
    const last = promoted.body.lastSeq as number;
    const facts = (await call(`${follower.url}/v1/replay?after=0&limit=10000`)).body.facts as Array<{
      seq: number;
      id: string;
      key: string;
    }>;
    expect(facts.map((f) => f.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(new Set(facts.map((f) => f.id)).size).toBe(last);
    const keys = new Set(facts.map((f) => f.key));
    expect(keys.size).toBe(last);
    expect(acked.filter((key) => !keys.has(key))).toEqual([]);
    const next = await put(follower.url, 'tasks', 'after-failover', 1);
    expect([next.status, (next.body.fact as { seq: number }).seq]).toEqual([201, last + 1]);
  });

  it('prints the connection string without its password, and exits 1 with ERR_CLOSED when PostgreSQL cannot be reached', async () => {
    const withPassword = pgUrl.replace('postgresql://postgres@', 'postgresql://postgres:s3cret@');
    const served = await serve(['--postgres', withPassword, '--schema', freshSchema()]);
    expect(served.output()).toContain('postgresql://postgres:****@127.0.0.1:');
    expect(served.output()).not.toContain('s3cret');
    served.child.kill('SIGINT');
    expect(await exited(served.child)).toBe(0);

    const away = igniter([
      'serve',
      '--postgres',
      'postgresql://postgres@127.0.0.1:1/postgres',
      '--port',
      '0',
    ]);
    expect([away.code, away.stderr.split('\n')[0]]).toEqual([
      1,
      expect.stringContaining('igniter serve: ERR_CLOSED: cannot connect to PostgreSQL'),
    ]);
  });
});
