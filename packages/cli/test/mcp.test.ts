import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@igniter/backend-file';
import { createServer } from '@igniter/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const temp = mkdtempSync(join(tmpdir(), 'igniter-cli-mcp-'));
const clients: Client[] = [];

beforeAll(() => {
  if (!existsSync(bin)) throw new Error('build @igniter/cli first (pnpm build)');
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** `igniter mcp ...args` as a child process, driven by the SDK's client over stdio. */
async function igniterMcp(...args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', ...args],
    env: { ...process.env } as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'igniter-cli-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** The JSON text a tool answered, parsed, with its isError flag. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  return {
    isError: result.isError === true,
    json: JSON.parse(content[0]?.text ?? 'null') as Record<string, unknown>,
  };
}

/** A file store at a fresh path holding two tasks, closed again. */
async function seededStore(): Promise<string> {
  const path = join(mkdtempSync(join(temp, 'store-')), 'tasks.log');
  const store = openFileStore(path);
  store.write({ store: 'tasks', key: 't1', value: { title: 'ship', status: 'open' } });
  store.write({ store: 'tasks', key: 't2', value: { title: 'test', status: 'done' } });
  await store.close();
  return path;
}

const READ_TOOLS = [
  'read',
  'read_fact',
  'history',
  'query',
  'lineage',
  'fact_ref',
  'replay',
  'stores',
  'keys',
  'storage_stats',
];

describe('igniter mcp <path>', () => {
  it('lists the read tools only, reads and queries the store', async () => {
    const client = await igniterMcp(await seededStore());
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(READ_TOOLS);
    expect(await call(client, 'read', { store: 'tasks', key: 't1' })).toEqual({
      isError: false,
      json: { found: true, value: { title: 'ship', status: 'open' } },
    });
    const open = await call(client, 'query', { store: 'tasks', where: { status: 'open' } });
    expect((open.json.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['t1']);
    const write = await call(client, 'write', { store: 'tasks', key: 't3', value: 1 });
    expect(write).toMatchObject({ isError: true, json: { error_code: 'ERR_READ_ONLY' } });
  });

  it('with --allow-writes lists write and append, and a write is in the store after the server stops', async () => {
    const path = await seededStore();
    const client = await igniterMcp(path, '--allow-writes');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      ...READ_TOOLS,
      'write',
      'append',
    ]);
    const written = await call(client, 'write', {
      store: 'tasks',
      key: 't3',
      value: { title: 'docs' },
      expect_absent: true,
    });
    expect(written.json.fact).toMatchObject({ seq: 3, store: 'tasks', key: 't3' });
    const appended = await call(client, 'append', { history: 'audit', event: { did: 'write t3' } });
    expect(appended.json.fact).toMatchObject({ seq: 4, store: 'audit' });
    await client.close();
    clients.splice(0);
    const store = openFileStore(path);
    try {
      expect(store.read({ store: 'tasks', key: 't3' })).toEqual({ title: 'docs' });
      expect(store.lastSeq()).toBe(4);
    } finally {
      await store.close();
    }
  });

  it('a store another process holds fails at start with ERR_LOCKED on stderr and nothing on stdout', async () => {
    const path = await seededStore();
    const holder = openFileStore(path);
    try {
      const child = spawn(process.execPath, [bin, 'mcp', path], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('ERR_LOCKED');
    } finally {
      await holder.close();
    }
  });

  it('writes nothing but JSON-RPC messages to stdout, and exits 0 when stdin ends', async () => {
    const child = spawn(process.execPath, [bin, 'mcp', await seededStore()], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'stores', arguments: {} } })}\n`,
    );
    while (stdout.split('\n').filter(Boolean).length < 2)
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.stdin.end();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { jsonrpc: string; id: number }).id)).toEqual([1, 2]);
    const answer = JSON.parse(lines[1] ?? '{}') as { result: { structuredContent: unknown } };
    expect(answer.result.structuredContent).toEqual({
      stores: [{ store: 'tasks', factCount: 2, keyCount: 2 }],
    });
  });
});

describe('igniter mcp <url>', () => {
  it('uses the server through @igniter/client: reads, queries and (with --allow-writes) writes', async () => {
    const server = createServer({ path: await seededStore(), port: 0 });
    const { url } = await server.listen();
    try {
      const client = await igniterMcp(url, '--allow-writes');
      expect(await call(client, 'read', { store: 'tasks', key: 't2' })).toEqual({
        isError: false,
        json: { found: true, value: { title: 'test', status: 'done' } },
      });
      await call(client, 'write', { store: 'tasks', key: 't2', value: { title: 'test', status: 'open' } });
      const open = await call(client, 'query', { store: 'tasks', where: { status: 'open' } });
      expect((open.json.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['t1', 't2']);
      const conflict = await call(client, 'write', {
        store: 'tasks',
        key: 't1',
        value: 0,
        expect_seq: 1_000,
      });
      expect(conflict).toMatchObject({ isError: true, json: { error_code: 'ERR_CONFLICT' } });
    } finally {
      for (const client of clients.splice(0)) await client.close();
      await server.close();
    }
  });

  it('a server that cannot be reached fails at start with ERR_NETWORK', async () => {
    const child = spawn(process.execPath, [bin, 'mcp', 'http://127.0.0.1:9'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(1);
    expect(stderr).toContain('ERR_NETWORK');
  });
});
