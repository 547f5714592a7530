// A TypeScript consumer of every published @igniter package, type-checked by `pnpm test:runtimes`
// with `tsc` in node16, nodenext and bundler resolution (tsconfig.<mode>.json) against the
// installed tarballs. The test copies it to consumer-esm.mts and consumer-cjs.cts, so both the
// "import" and the "require" typings are checked. The @ts-expect-error lines fail the check if a
// type degrades to `any`.
import { openFileStore } from '@igniter/backend-file';
import { openPostgresStore } from '@igniter/backend-postgres';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { COMMANDS } from '@igniter/cli';
import { createClient } from '@igniter/client';
import { type Fact, type IgniterError, IgniterStore } from '@igniter/core';
import { IgniterError as ErrorsEntryError } from '@igniter/core/errors';
import { crc32 } from '@igniter/core/storage';
import { createMcpServer } from '@igniter/mcp';
import { valueHash } from '@igniter/native';
import { dispatch } from '@igniter/protocol';
import { createServer } from '@igniter/server';

const store: IgniterStore = openFileStore('tasks.log');
const fact: Fact = store.write({ store: 'tasks', key: 't1', value: { title: 'ship' } });
const seq: number = fact.seq;
// @ts-expect-error store names are strings
store.write({ store: 1, key: 't1', value: {} });
const segmented = new IgniterStore({ backend: new SegmentedFileBackend('segments') });
const error: IgniterError = new ErrorsEntryError('ERR_INVALID_ARGUMENT', 'bad');
const checksum: number = crc32(new Uint8Array([1]));
const hash: string = valueHash('{}');
const answer: Promise<unknown> = dispatch(store, {
  protocol: 'igniter_store',
  schema_version: 1,
  op: 'stats',
  packet: {},
});
const server = createServer({ path: 'served.log', port: 0 });
const client = createClient({ url: 'http://127.0.0.1:1' });
// @ts-expect-error the client's url is a string
createClient({ url: 1 });
export const used = [
  seq,
  segmented,
  error,
  checksum,
  hash,
  answer,
  server,
  client,
  openPostgresStore,
  COMMANDS,
  createMcpServer,
];
