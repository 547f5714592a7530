import type { PacketSpec } from './packet-spec.js';

const NONE: PacketSpec = { required: {}, optional: {}, strict: true };
/** A packet that is a document the operation checks itself: every field is passed on. */
const DOCUMENT: PacketSpec = { required: {}, optional: {}, strict: false };
const SUBJECT: PacketSpec = {
  required: { store: 'string', key: 'string' },
  optional: { limit: 'integer' },
  strict: true,
};
const STORE_FILTER: PacketSpec = { required: {}, optional: { store: 'string' }, strict: true };

/** The fields of one fact input, shared by `write` and `write_fact` (C-4: nothing is dropped). */
export const WRITE_SPEC: PacketSpec = {
  required: { store: 'string', key: 'string', value: 'json' },
  optional: {
    causation: 'nullable-string',
    valid_time: 'nullable-number',
    schema_version: 'integer',
    producer: 'nullable-object',
    derivation: 'nullable-object',
    expect: 'object',
    idempotency_key: 'string',
  },
  strict: true,
};

/** The packet shape of every operation, by wire name. */
export const SPECS = {
  describe: NONE,
  // The packet is the descriptor (plus `replace`): descriptors keep fields they do not know.
  register_descriptor: { required: {}, optional: { replace: 'boolean' }, strict: false },
  write: WRITE_SPEC,
  // A fact packet is a document: its problems come back as a rejected receipt, not an error.
  write_fact: DOCUMENT,
  append: {
    required: { history: 'string', event: 'object' },
    optional: {
      key: 'string',
      partition_key: 'string',
      schema_version: 'integer',
      valid_time: 'nullable-number',
      producer: 'nullable-object',
      derivation: 'nullable-object',
      idempotency_key: 'string',
    },
    strict: true,
  },
  read: {
    required: { store: 'string', key: 'string' },
    optional: { as_of: 'number', valid_at: 'number' },
    strict: true,
  },
  read_fact: {
    required: { store: 'string', key: 'string' },
    optional: { as_of: 'number', valid_at: 'number' },
    strict: true,
  },
  keys: {
    required: { store: 'string' },
    optional: { prefix: 'string', after: 'string', limit: 'integer' },
    strict: true,
  },
  stores: { required: {}, optional: { after: 'string', limit: 'integer' }, strict: true },
  query: {
    required: { store: 'string' },
    optional: {
      where: 'object',
      order: 'order',
      limit: 'integer',
      after: 'string',
      as_of: 'number',
      valid_at: 'number',
    },
    strict: true,
  },
  resolve: {
    required: { relation: 'string', from: 'json' },
    optional: { as_of: 'number', limit: 'integer' },
    strict: true,
  },
  replay: {
    required: {},
    optional: { after: 'integer', limit: 'integer', filter: 'object', include_internal: 'boolean' },
    strict: true,
    nested: {
      filter: {
        required: {},
        optional: { store: 'string', key: 'string', partition_key: 'string', partition_value: 'json' },
        strict: true,
      },
    },
  },
  sync_hub_profile: {
    required: {},
    optional: { after: 'integer', limit: 'integer', stores: 'string[]', include_internal: 'boolean' },
    strict: true,
  },
  causation_chain: SUBJECT,
  lineage: SUBJECT,
  fact_ref: { required: { fact_id: 'string' }, optional: {}, strict: true },
  metadata_snapshot: NONE,
  descriptor_snapshot: NONE,
  observability_snapshot: NONE,
  compaction_activity: {
    required: {},
    optional: { store: 'string', kind: 'string', since: 'number', limit: 'integer' },
    strict: true,
  },
  storage_stats: STORE_FILTER,
  segment_manifest: STORE_FILTER,
  rule_status: NONE,
  rebuild: { required: { name: 'string' }, optional: { into: 'string' }, strict: true },
  resume_rule: { required: { name: 'string' }, optional: {}, strict: true },
} as const satisfies Record<string, PacketSpec>;

/** A wire operation name. */
export type OpName = keyof typeof SPECS;
