// The smoke program of `pnpm test:runtimes`, run by every runtime of the matrix (Node 20/22/24,
// Bun, Deno) in a temp project that installed the packed tarballs: a file store written, time
// travelled, closed and reopened; protocol envelopes through dispatch; @igniter/client against
// @igniter/server over real HTTP. Prints one JSON line; the matrix compares it exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { createClient } from '@igniter/client';
import { engineInfo, IgniterError, IgniterStore } from '@igniter/core';
import { dispatch } from '@igniter/protocol';
import { createServer } from '@igniter/server';

const dir = mkdtempSync(join(tmpdir(), 'igniter-runtime-smoke-'));
const path = join(dir, 'smoke.log');

const writer = openFileStore(path, { durability: 'fsync' });
const draft = writer.write({ store: 'tasks', key: 't1', value: { title: 'draft' } });
// The next transaction time must be later than the draft's for time travel to tell them apart.
while (Date.now() <= draft.transactionTime) {}
const shipped = writer.write({ store: 'tasks', key: 't1', value: { title: 'ship' } });
await writer.close();

// IgniterStore.open loads @igniter/backend-file lazily and replays the log.
const reader = IgniterStore.open(path);
const envelope = (op, packet) => ({ protocol: 'igniter_store', schema_version: 1, op, packet });
const dispatched = await dispatch(reader, envelope('read_fact', { store: 'tasks', key: 't1' }));
const unknownOp = await dispatch(reader, envelope('no_such_op', {}));
const reopened = {
  engine: reader.engine,
  backend: reader.storageStats().backend,
  factCount: reader.factCount(),
  read: reader.read({ store: 'tasks', key: 't1' }),
  timeTravel: reader.timeTravel({ store: 'tasks', key: 't1', at: draft.transactionTime }),
  history: reader.history({ store: 'tasks', key: 't1' }).map((fact) => fact.seq),
  dispatch: [dispatched.status, dispatched.result.fact.seq, unknownOp.error_code],
};
await reader.close();

const server = createServer({ path: join(dir, 'served.log'), port: 0 });
const { url } = await server.listen();
const client = createClient({ url });
const fact = await client.write({
  store: 'tasks',
  key: 't1',
  value: { title: 'serve' },
  expect: { absent: true },
});
const conflict = await client
  .write({ store: 'tasks', key: 't1', value: {}, expect: { absent: true } })
  .catch((error) => error);
const served = {
  seq: fact.seq,
  read: await client.read({ store: 'tasks', key: 't1' }),
  conflict: [conflict.code, conflict instanceof IgniterError],
};
await server.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    engineInfo: engineInfo().kind,
    written: [draft.seq, shipped.seq],
    reopened,
    served,
  }),
);
