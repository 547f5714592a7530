// Runs inside a temp project of test:install with @igniter/core and @igniter/backend-segmented:
// writes to segment files, closes, reopens and reads.
import { join } from 'node:path';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { IgniterStore } from '@igniter/core';

const dir = join(process.cwd(), 'data', 'segments');
const writer = new IgniterStore({ backend: new SegmentedFileBackend(dir, { durability: 'fsync' }) });
writer.write({ store: 'readings', key: 'r1', value: { celsius: 21.5 } });
writer.write({ store: 'alerts', key: 'a1', value: { level: 'low' } });
await writer.close();

const reader = new IgniterStore({ backend: new SegmentedFileBackend(dir) });
console.log(
  JSON.stringify({
    engine: reader.engine,
    read: reader.read({ store: 'readings', key: 'r1' }),
    factCount: reader.factCount(),
    backend: reader.storageStats().backend,
  }),
);
await reader.close();
