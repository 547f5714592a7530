// Runs inside a temp project of test:install with @igniter/core and @igniter/backend-file (ESM):
// writes through openFileStore, reopens through IgniterStore.open (core loads backend-file lazily).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { IgniterStore } from '@igniter/core';

const path = join(process.cwd(), 'data', 'esm.log');
const writer = openFileStore(path, { durability: 'fsync' });
writer.write({ store: 'tasks', key: 't1', value: { title: 'ship', module: 'esm' } });
writer.write({ store: 'tasks', key: 't2', value: { title: 'test', module: 'esm' } });
await writer.close();

const reader = IgniterStore.open(path);
console.log(
  JSON.stringify({
    logExists: existsSync(path),
    engine: reader.engine,
    read: reader.read({ store: 'tasks', key: 't1' }),
    factCount: reader.factCount(),
    backend: reader.storageStats().backend,
  }),
);
await reader.close();
