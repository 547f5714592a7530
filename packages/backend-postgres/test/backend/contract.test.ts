import { createHash } from 'node:crypto';
import { backendContractSuite } from '@igniter/core/testing';
import { PostgresBackend } from '../../src/index.js';
import { pgUrl } from '../support/pg.js';

// The contract reopens "the same location": each temp directory maps to its own schema.
const schemaOf = (dir: string): string => `c_${createHash('sha256').update(dir).digest('hex').slice(0, 20)}`;

backendContractSuite("PostgresBackend, durability 'group'", (dir) =>
  PostgresBackend.connect({ connectionString: pgUrl, schema: schemaOf(dir) }),
);
backendContractSuite("PostgresBackend, durability 'sync'", (dir) =>
  PostgresBackend.connect({ connectionString: pgUrl, schema: schemaOf(dir), durability: 'sync' }),
);
