// The app every bundler of `pnpm test:runtimes` bundles: @igniter/core and @igniter/backend-file,
// a file store written, closed, reopened and read. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { engineInfo } from '@igniter/core';

const dir = mkdtempSync(join(tmpdir(), 'igniter-bundled-'));
const path = join(dir, 'bundled.log');
const writer = openFileStore(path, { durability: 'fsync' });
writer.write({ store: 'tasks', key: 't1', value: { title: 'bundle' } });
await writer.close();
const reader = openFileStore(path);
console.log(
  JSON.stringify({
    engineInfo: engineInfo().kind,
    engine: reader.engine,
    read: reader.read({ store: 'tasks', key: 't1' }),
    factCount: reader.factCount(),
  }),
);
await reader.close();
rmSync(dir, { recursive: true, force: true });
