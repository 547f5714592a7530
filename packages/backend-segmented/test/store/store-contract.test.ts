import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { filesContaining, storeContractSuite } from '@igniter/core/testing';
import { SegmentedFileBackend } from '../../src/index.js';

const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const openAt = (dir: string): IgniterStore =>
  new IgniterStore({ backend: new SegmentedFileBackend(dir, { maxSegmentFacts: 200 }), engine });

// 200 facts a segment: the stream test spans sealed segments (erasure.test.ts covers sealed ones).
storeContractSuite(`segmented store (${engine} engine)`, {
  durable: true,
  open: (dir) => openAt(join(dir, 'store')),
  holding: (dir, marker) => filesContaining(dir, marker),
  backupPath: (dir) => join(dir, 'backup'),
  openBackup: (path) => new IgniterStore({ backend: new SegmentedFileBackend(path), engine }),
});
