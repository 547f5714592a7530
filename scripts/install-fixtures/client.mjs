// @igniter/client installed from its tarball (ESM), against @igniter/server: a conditional write,
// a read, a conflict caught as core's own IgniterError, and one changefeed event. One JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@igniter/client';
import { IgniterError } from '@igniter/core';
import { createServer } from '@igniter/server';

const dir = mkdtempSync(join(tmpdir(), 'igniter-install-client-'));
const server = createServer({ path: join(dir, 'client.log'), port: 0 });
const { url } = await server.listen();
const client = createClient({ url });
const fact = await client.write({
  store: 'tasks',
  key: 't1',
  value: { title: 'ship' },
  expect: { absent: true },
});
const value = await client.read({ store: 'tasks', key: 't1' });
const conflict = await client
  .write({ store: 'tasks', key: 't1', value: {}, expect: { absent: true } })
  .catch((e) => e);
const feed = client.subscribe({ after: 0 });
const event = (await feed[Symbol.asyncIterator]().next()).value;
feed.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    seq: fact.seq,
    value,
    conflict: [conflict.code, conflict instanceof IgniterError],
    event: [event.seq, event.kind, event.key],
  }),
);
