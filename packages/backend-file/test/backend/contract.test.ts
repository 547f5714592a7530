import { join } from 'node:path';
import { backendContractSuite } from '@igniter/core/testing';
import { FileBackend } from '../../src/index.js';

backendContractSuite("FileBackend, durability 'group'", (dir) => new FileBackend(join(dir, 'app.log')));
backendContractSuite(
  "FileBackend, durability 'fsync'",
  (dir) => new FileBackend(join(dir, 'app.log'), { durability: 'fsync' }),
);
backendContractSuite(
  "FileBackend, durability 'none'",
  (dir) => new FileBackend(join(dir, 'app.log'), { durability: 'none' }),
);
