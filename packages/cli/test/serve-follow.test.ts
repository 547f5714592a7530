import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, healthAt, put, writeLoad } from './support/http.js';
import { assertBuilt, exited, igniter, igniterProcess, tempDir } from './support/igniter.js';

const temp = tempDir();
const URL_LINE = /at (http:\/\/127\.0\.0\.1:\d+)\n/;
const started: Array<{ child: import('node:child_process').ChildProcess }> = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const { child } of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await exited(child);
  }
});
afterAll(() => temp.cleanup());

async function serve(
  args: string[],
): Promise<{ url: string; child: import('node:child_process').ChildProcess; output: () => string }> {
  const running = await igniterProcess(['serve', ...args, '--port', '0', '--log-level', 'silent'], URL_LINE);
  started.push(running);
  return { url: running.match[1] as string, child: running.child, output: running.output };
}

describe('igniter serve <path> --follow', () => {
  it('serves a read-only follower of a served log: reads, role and lag in /v1/health, 503 ERR_READ_ONLY for writes', async () => {
    const path = join(temp.dir, 'followed.log');
    const writer = await serve([path]);
    expect((await put(writer.url, 'tasks', 't1', { title: 'one' })).status).toBe(201);
    const follower = await serve([path, '--follow']);
    expect(follower.output()).toContain(`igniter serving a read-only follower of ${path} (`);

    expect((await put(writer.url, 'tasks', 't2', { title: 'two' })).status).toBe(201);
    const health = await healthAt(follower.url, 2);
    expect(health).toMatchObject({ role: 'follower', backend: 'file', fact_count: 2, last_seq: 2 });
    expect(typeof health.lag_ms).toBe('number');
    const read = await call(`${follower.url}/v1/stores/tasks/keys/t2`);
    expect([read.status, (read.body.fact as { value: unknown }).value]).toEqual([200, { title: 'two' }]);
    const refused = await put(follower.url, 'tasks', 't3', 3);
    expect([refused.status, refused.body.error_code]).toEqual([503, 'ERR_READ_ONLY']);
    expect((await call(`${writer.url}/v1/health`)).body).toMatchObject({
      role: 'writer',
      lag_ms: null,
      last_seq: 2,
    });

    follower.child.kill('SIGINT');
    expect(await exited(follower.child)).toBe(0);
    writer.child.kill('SIGINT');
    expect(await exited(writer.child)).toBe(0);
  });

  it('after kill -9 of the writer under load, the follower promotes: every acknowledged write is there once, seq has no gap', async () => {
    const path = join(temp.dir, 'failover.log');
    const writer = await serve([path]);
    const follower = await serve([path, '--follow']);
    const load = writeLoad(writer.url, 8);
    await load.acknowledged(200);
    writer.child.kill('SIGKILL');
    await exited(writer.child);
    const acked = await load.stop();
    expect(acked.length).toBeGreaterThanOrEqual(200);

    let promoted = await call(`${follower.url}/v1/admin/promote`, { method: 'POST' });
    for (let tries = 0; promoted.status === 503 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      promoted = await call(`${follower.url}/v1/admin/promote`, { method: 'POST' });
    }
    expect([promoted.status, promoted.body.role]).toEqual([200, 'writer']);
    const last = promoted.body.lastSeq as number;
    expect(last).toBeGreaterThanOrEqual(acked.length);

    const replay = await call(`${follower.url}/v1/replay?after=0&limit=10000`);
    const facts = replay.body.facts as Array<{ seq: number; id: string; key: string }>;
    expect(facts.map((f) => f.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(new Set(facts.map((f) => f.id)).size).toBe(last);
    expect(new Set(facts.map((f) => f.key)).size).toBe(last);
    const keys = new Set(facts.map((f) => f.key));
    expect(acked.filter((key) => !keys.has(key))).toEqual([]);

    const next = await put(follower.url, 'tasks', 'after-failover', 1);
    expect([next.status, (next.body.fact as { seq: number }).seq]).toEqual([201, last + 1]);
    expect((await call(`${follower.url}/v1/health`)).body).toMatchObject({ role: 'writer', lag_ms: null });
    follower.child.kill('SIGINT');
    expect(await exited(follower.child)).toBe(0);
  });

  it('bad combinations are usage errors (exit 2); a missing log or a segmented store to follow exits 1', () => {
    const path = join(temp.dir, 'usage.log');
    const cases: Array<[string[], number, string]> = [
      [['serve'], 2, 'give a store <path> or --postgres <url>'],
      [['serve', path, '--postgres', 'postgresql://127.0.0.1/x'], 2, 'not both'],
      [['serve', '--postgres', 'postgresql://127.0.0.1/x', '--segmented'], 2, '--segmented is for a <path>'],
      [['serve', path, '--schema', 'igniter'], 2, '--schema needs --postgres'],
      [['serve', '--postgres', 'postgresql://127.0.0.1/x', '--schema', 'a-b'], 2, '--schema must be'],
      [['serve', path, '--follow', '--segmented'], 2, 'a segmented store cannot be followed'],
      [['serve', path, '--follow'], 1, `no store at ${path} to follow`],
      [['serve', temp.dir, '--follow'], 1, 'is a segmented store'],
    ];
    for (const [args, code, message] of cases) {
      const run = igniter(args);
      expect([args.join(' '), run.code, run.stderr.split('\n')[0]]).toEqual([
        args.join(' '),
        code,
        expect.stringContaining(message),
      ]);
    }
  });

  it('serve --help names --postgres, --schema and --follow', () => {
    const help = igniter(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--postgres <url>', '--schema <name>', '--follow'])
      expect(help.stdout).toContain(option);
  });
});
