import { fileURLToPath } from 'node:url';
import { type ScriptChild, spawnNodeScript, waitForLine } from '@igniter/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, pgUrl } from '../support/pg.js';

const script = (name: string) => fileURLToPath(new URL(`../support/${name}`, import.meta.url));
const children: ScriptChild[] = [];
afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
});

function start(name: string, schema: string): ScriptChild {
  const child = spawnNodeScript(script(name), [pgUrl, schema]);
  children.push(child);
  return child;
}

type LogEntry = [number, string, string, string];

async function dump(follower: ScriptChild, seq: number): Promise<LogEntry[]> {
  const before = follower.lines.length;
  follower.child.stdin.write(`dump ${seq}\n`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = follower.lines.slice(before).find((l) => l.startsWith('log '));
    if (line) return JSON.parse(line.slice(4)) as LogEntry[];
    if (Date.now() > deadline)
      throw new Error(`no log from the follower: ${follower.lines.slice(-3).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const lastAck = (writer: ScriptChild): number =>
  Math.max(0, ...writer.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4))));

async function writerAndFollowers(schema: string): Promise<[ScriptChild, ScriptChild, ScriptChild]> {
  const writer = start('writer-process.mjs', schema);
  await waitForLine(writer.lines, /^writing$/, 20_000);
  const first = start('follower-process.mjs', schema);
  const second = start('follower-process.mjs', schema);
  for (const follower of [first, second]) await waitForLine(follower.lines, /^ready$/, 20_000);
  // Let the followers follow a sustained load for a while.
  await waitForLine(writer.lines, /^ack [1-9]\d{3,}$/, 30_000);
  return [writer, first, second];
}

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('a writer and two follower processes on one PostgreSQL', () => {
  it('followers read every acknowledged fact, in the same order with the same ids and hashes', async () => {
    const [writer, first, second] = await writerAndFollowers(freshSchema());
    const acked = lastAck(writer);
    const [one, two] = await Promise.all([dump(first, acked), dump(second, acked)]);
    expect(one.slice(0, acked).map((e) => e[0])).toEqual(oneTo(acked));
    expect(one.slice(0, acked).map((e) => e[3])).toEqual(oneTo(acked).map((n) => `k${n}`));
    expect(two.slice(0, acked)).toEqual(one.slice(0, acked));
  });

  it('after kill -9 of the writer a follower promotes: every acknowledged fact is there once, seq has no gap, the old writer cannot come back', async () => {
    const schema = freshSchema();
    const [writer, heir, other] = await writerAndFollowers(schema);
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acked = lastAck(writer);

    heir.child.stdin.write('promote\n');
    const promoted = await waitForLine(heir.lines, /^promoted \d+ \d+$/, 30_000);
    const [firstNew, lastNew] = promoted.split(' ').slice(1).map(Number) as [number, number];
    const log = await dump(heir, lastNew);
    expect(log.map((e) => e[0])).toEqual(oneTo(lastNew));
    expect(firstNew).toBeGreaterThan(acked);
    expect(lastNew - firstNew).toBe(9);
    expect(log.slice(0, firstNew - 1).map((e) => e[3])).toEqual(oneTo(firstNew - 1).map((n) => `k${n}`));
    expect(new Set(log.map((e) => e[1])).size).toBe(log.length);
    expect(await dump(other, lastNew)).toEqual(log);

    const comeback = start('writer-process.mjs', schema);
    expect(await waitForLine(comeback.lines, /^(refused|writing)/, 20_000)).toBe('refused ERR_LOCKED');
  });
});
