import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, exited, igniter, igniterProcess, tempDir } from './support/igniter.js';

const temp = tempDir();
const ndjson = [
  { store: 'tasks', key: 't1', value: { title: 'one' } },
  { store: 'tasks', key: 't2', value: { title: 'two' }, validTime: 1000 },
  { store: 'notes', key: 'n1', value: 'hello', producer: { by: 'cli' } },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

beforeAll(() => assertBuilt());
afterAll(() => temp.cleanup());

describe('usage', () => {
  it('igniter --help lists every command and exits 0', () => {
    const run = igniter(['--help']);
    expect(run.code).toBe(0);
    for (const name of ['serve', 'stats', 'verify', 'backup', 'export', 'import', 'tail']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('every command answers --help with its usage and exits 0', () => {
    for (const name of ['serve', 'stats', 'verify', 'backup', 'export', 'import', 'tail']) {
      const run = igniter([name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout.startsWith(`usage: igniter ${name} `)).toBe(true);
    }
  });

  it('no command, an unknown command, an unknown option or a missing argument exits 2', () => {
    expect(igniter([]).code).toBe(2);
    const unknown = igniter(['explode']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'igniter: unknown command "explode"']);
    const option = igniter(['stats', join(temp.dir, 'x.log'), '--colour']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--colour'");
    const missing = igniter(['backup', join(temp.dir, 'x.log')]);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([
      2,
      'igniter backup: expected 2 argument(s), got 1',
    ]);
  });

  it('a command on a missing store exits 1 and says so', () => {
    const run = igniter(['stats', join(temp.dir, 'missing.log')]);
    expect([run.code, run.stderr.trim()]).toEqual([
      1,
      `igniter stats: no store at ${join(temp.dir, 'missing.log')}`,
    ]);
  });
});

describe('import, export, stats, verify, backup', () => {
  const path = join(temp.dir, 'data.log');

  it('import writes each NDJSON line and reports the count (quiet when not on a terminal)', () => {
    const run = igniter(['import', path], ndjson);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, 'imported 3 facts\n', '']);
  });

  it('export prints the facts as camelCase NDJSON in seq order, --store and --after filter', () => {
    const all = igniter(['export', path]);
    expect(all.code).toBe(0);
    const facts = all.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(facts.map((fact) => [fact.seq, fact.store, fact.key])).toEqual([
      [1, 'tasks', 't1'],
      [2, 'tasks', 't2'],
      [3, 'notes', 'n1'],
    ]);
    expect(facts[1]).toMatchObject({ validTime: 1000, value: { title: 'two' }, schemaVersion: 1 });
    const notes = igniter(['export', path, '--store', 'notes']).stdout.trim().split('\n');
    expect(notes.map((line) => JSON.parse(line).key)).toEqual(['n1']);
    const after = igniter(['export', path, '--after', '2']).stdout.trim().split('\n');
    expect(after.map((line) => JSON.parse(line).seq)).toEqual([3]);
  });

  it('an export imports into a new store with the same stores, keys and values', () => {
    const copy = join(temp.dir, 'copy.log');
    const exported = igniter(['export', path]).stdout;
    expect(igniter(['import', copy], exported).code).toBe(0);
    const again = igniter(['export', copy])
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const original = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const shape = (fact: Record<string, unknown>) => [
      fact.store,
      fact.key,
      fact.value,
      fact.validTime,
      fact.producer,
    ];
    expect(again.map(shape)).toEqual(original.map(shape));
  });

  it('import stops at a bad line with exit 1, naming it; earlier batches stay written', () => {
    const target = join(temp.dir, 'bad-import.log');
    const run = igniter(['import', target], `${ndjson}\n{"store":"tasks","key":"t9","valu":1}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 4: unknown field "valu"');
    const refused = igniter(['import', target], '{"store":"__descriptors","key":"k","value":1}\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERR_RESERVED_NAME');
  });

  it('stats prints a table, and --json the same figures as JSON', () => {
    const table = igniter(['stats', path]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^facts {6}3$/m);
    expect(table.stdout).toMatch(/^last seq {3}3$/m);
    expect(table.stdout).toMatch(/^tasks\s+2\s+2\s+\d+$/m);
    const json = JSON.parse(igniter(['stats', path, '--json']).stdout);
    expect(json).toMatchObject({ path, backend: 'file', factCount: 3, lastSeq: 3 });
    expect(json.stores).toEqual([
      { store: 'notes', factCount: 1, keyCount: 1, byteSize: expect.any(Number) },
      { store: 'tasks', factCount: 2, keyCount: 2, byteSize: expect.any(Number) },
    ]);
  });

  it('verify exits 0 on an intact store, --json prints the report', () => {
    const run = igniter(['verify', path]);
    expect([run.code, run.stdout]).toEqual([0, 'ok: 3 facts checked\n']);
    expect(JSON.parse(igniter(['verify', path, '--json']).stdout)).toMatchObject({
      ok: true,
      factsChecked: 3,
      problems: [],
    });
  });

  it('verify exits 1 naming the damage when a byte of a fact is flipped (the log does not open)', async () => {
    const damaged = join(temp.dir, 'damaged.log');
    igniter(['import', damaged], ndjson);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(damaged);
    const at = bytes.indexOf(Buffer.from('"one"'));
    bytes[at + 1] = 'x'.charCodeAt(0);
    writeFileSync(damaged, bytes);
    const run = igniter(['verify', damaged]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^igniter verify: ERR_CORRUPT_LOG: .*damaged\.log/);
  });

  it('verify, stats, export and backup only read: a large log gets no open image from them (an application open writes one)', async () => {
    const { existsSync } = await import('node:fs');
    const large = join(temp.dir, 'large.log');
    // Past the file backend's default openImageFacts (65,536).
    const writer = openFileStore(large, { engine: 'native', durability: 'none' });
    for (let batch = 0; batch < 70; batch++) {
      const inputs = Array.from({ length: 1000 }, (_, i) => ({ store: 's', key: `k${i}`, value: batch }));
      writer.writeMany(inputs);
    }
    await writer.close();
    for (const args of [
      ['verify', large],
      ['stats', large],
      ['export', large, '--after', '69990'],
      ['backup', large, join(temp.dir, 'large-backup.log')],
    ]) {
      const run = igniter(args);
      expect([args[0], run.code]).toEqual([args[0], 0]);
      expect(existsSync(`${large}.image`)).toBe(false);
    }
    const store = openFileStore(large, { engine: 'native' });
    expect(store.factCount()).toBe(70_000);
    await store.close();
    expect(existsSync(`${large}.image`)).toBe(true);
  });

  it('backup writes a copy that opens with the same facts', async () => {
    const dest = join(temp.dir, 'backup.log');
    const run = igniter(['backup', path, dest, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ path: dest, seq: 3, factCount: 3 });
    const store = openFileStore(dest);
    expect(store.read({ store: 'notes', key: 'n1' })).toBe('hello');
    await store.close();
  });
});

describe('serve and tail', () => {
  it('serve prints the URL, serves the store, and Ctrl-C drains and exits 0', async () => {
    const path = join(temp.dir, 'served.log');
    const { child, match, output } = await igniterProcess(
      ['serve', path, '--port', '0', '--log-level', 'silent'],
      /at (http:\/\/127\.0\.0\.1:\d+)\n/,
    );
    const url = match[1] as string;
    const put = await fetch(`${url}/v1/stores/tasks/keys/t1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 1 }),
    });
    expect(put.status).toBe(201);
    const locked = igniter(['stats', path]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('ERR_LOCKED');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(output()).toContain('draining...\nstopped\n');
    expect(JSON.parse(igniter(['stats', path, '--json']).stdout)).toMatchObject({ factCount: 1 });
  });

  it('serve refuses a non-loopback host without tokens (exit 1) and a bad port (exit 2)', () => {
    const open = igniter(['serve', join(temp.dir, 'open.log'), '--host', '0.0.0.0']);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('ERR_INVALID_ARGUMENT');
    expect(igniter(['serve', join(temp.dir, 'open.log'), '--port', 'http']).code).toBe(2);
  });

  it('tail <url> prints the events of a served store, resuming with --after', async () => {
    const path = join(temp.dir, 'tailed.log');
    const tokens = join(temp.dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([{ name: 'ops', token: 'ops-token', admin: true }]));
    const server = await igniterProcess(
      ['serve', path, '--port', '0', '--tokens', tokens, '--log-level', 'silent'],
      /at (http:\/\/127\.0\.0\.1:\d+)\n/,
    );
    const url = server.match[1] as string;
    for (const key of ['a', 'b']) {
      await fetch(`${url}/v1/stores/s/keys/${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ops-token' },
        body: JSON.stringify({ value: key }),
      });
    }
    const tail = await igniterProcess(
      ['tail', url, '--after', '1', '--token', 'ops-token', '--json'],
      /"key":"b"/,
    );
    const line = JSON.parse(tail.output().trim().split('\n')[0] ?? '{}');
    expect(line).toMatchObject({ seq: 2, kind: 'write', store: 's', key: 'b' });
    tail.child.kill('SIGINT');
    expect(await exited(tail.child)).toBe(0);
    const denied = igniter(['tail', url]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('401 ERR_UNAUTHORIZED');
    server.child.kill('SIGINT');
    expect(await exited(server.child)).toBe(0);
  });

  it('tail <path> prints the events after --after of a store no server holds, until Ctrl-C', async () => {
    const path = join(temp.dir, 'tail-path.log');
    igniter(['import', path], ndjson);
    const tail = await igniterProcess(['tail', path, '--after', '1'], /n1 /);
    expect(
      tail
        .output()
        .trim()
        .split('\n')
        .map((line) => line.split(' ').slice(0, 3).join(' ')),
    ).toEqual(['2 write tasks/t2', '3 write notes/n1']);
    tail.child.kill('SIGINT');
    expect(await exited(tail.child)).toBe(0);
  });
});
