// @igniter/server installed from its tarball: serves a file store, one durable write and read over
// HTTP, and the inspector page at / (@igniter/inspector, which @igniter/cli brings); then the
// igniter bin of @igniter/cli reads the same store. Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '@igniter/server';

const dir = mkdtempSync(join(tmpdir(), 'igniter-install-server-'));
const path = join(dir, 'served.log');
const server = createServer({ path, port: 0 });
const { url } = await server.listen();
const put = await fetch(`${url}/v1/stores/tasks/keys/t1`, {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ value: { title: 'ship' } }),
});
const read = await (await fetch(`${url}/v1/stores/tasks/keys/t1`)).json();
const health = await (await fetch(`${url}/v1/health`)).json();
const page = await fetch(`${url}/`);
const pageText = await page.text();
await server.close();
const stats = JSON.parse(
  execFileSync(join('node_modules', '.bin', 'igniter'), ['stats', path, '--json'], { encoding: 'utf8' }),
);
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    put: put.status,
    value: read.fact.value,
    health: [health.status, health.backend, health.engine],
    inspector: [
      page.status,
      page.headers.get('content-type'),
      pageText.includes('<title>Igniter inspector</title>'),
    ],
    stats: [stats.backend, stats.factCount, stats.lastSeq],
  }),
);
