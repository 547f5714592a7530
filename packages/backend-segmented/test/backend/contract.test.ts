import { join } from 'node:path';
import { backendContractSuite } from '@igniter/core/testing';
import { SegmentedFileBackend } from '../../src/index.js';

backendContractSuite(
  "SegmentedFileBackend, durability 'group'",
  (dir) => new SegmentedFileBackend(join(dir, 'segments')),
);
backendContractSuite(
  "SegmentedFileBackend, durability 'fsync', a segment per fact",
  (dir) => new SegmentedFileBackend(join(dir, 'segments'), { durability: 'fsync', maxSegmentFacts: 1 }),
);
backendContractSuite(
  "SegmentedFileBackend, durability 'none', 1 ms time buckets",
  (dir) => new SegmentedFileBackend(join(dir, 'segments'), { durability: 'none', segmentDurationMs: 1 }),
);
