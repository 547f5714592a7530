// The igniter bin of @igniter/cli installed from its tarball: `igniter mcp <path>` answers the MCP
// handshake and lists its tools over stdio, with nothing but JSON-RPC on stdout. One JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'igniter-install-mcp-'));
const child = spawn(join('node_modules', '.bin', 'igniter'), ['mcp', join(dir, 'mcp.log'), '--allow-writes']);
let stdout = '';
child.stdout.on('data', (chunk) => {
  stdout += chunk;
});
const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
send({
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'install', version: '1' } },
});
send({ method: 'notifications/initialized' });
send({ id: 2, method: 'tools/list' });
send({
  id: 3,
  method: 'tools/call',
  params: { name: 'write', arguments: { store: 'tasks', key: 't1', value: 1 } },
});
while (stdout.split('\n').filter(Boolean).length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
child.stdin.end();
const code = await new Promise((resolve) => child.on('close', resolve));
rmSync(dir, { recursive: true, force: true });
const [hello, list, write] = stdout
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
console.log(
  JSON.stringify({
    code,
    server: hello.result.serverInfo.name,
    tools: list.result.tools.length,
    seq: write.result.structuredContent.fact.seq,
  }),
);
