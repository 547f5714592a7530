import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { filesContaining, storeContractSuite } from '@igniter/core/testing';
import { openFileStore } from '../../src/index.js';

const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const backupPath = (dir: string): string => join(dir, 'backup', 'app.log');
const openBackup = (path: string): IgniterStore => openFileStore(path, { engine });

storeContractSuite(`file store (${engine} engine)`, {
  durable: true,
  open: (dir) => openFileStore(join(dir, 'data', 'app.log'), { engine }),
  holding: (dir, marker) => filesContaining(dir, marker),
  backupPath,
  openBackup,
});

// A store in memory backs up into a file-backend log: core loads this package to write it.
storeContractSuite(`in-memory store (${engine} engine)`, {
  durable: false,
  open: () => new IgniterStore({ engine }),
  holding: (dir, marker) => filesContaining(dir, marker),
  backupPath,
  openBackup,
});
