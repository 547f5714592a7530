import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_KINDS, normaliseDescriptor } from '../src/index.js';

/** [kind, packet, the normalised descriptor] */
const DEFAULTS: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'store',
    { kind: 'store', name: 's', key: 'id', extra: [1] },
    { kind: 'store', name: 's', key: 'id', extra: [1] },
  ],
  [
    'history',
    { kind: 'history', name: 'h', key: 'id', partition_key: 'p' },
    { kind: 'history', name: 'h', key: 'id', partition_key: 'p' },
  ],
  [
    'access_path',
    { kind: 'access_path', name: 'a', store: 's', fields: ['f'], cache_ttl: 50 },
    { kind: 'access_path', name: 'a', store: 's', fields: ['f'], cache_ttl: 50, unique: true, filters: {} },
  ],
  [
    'relation',
    { kind: 'relation', name: 'r', from: { store: 'a', key: 'id' }, to: { store: 'b', field: 'a_id' } },
    {
      kind: 'relation',
      name: 'r',
      from: { store: 'a', key: 'id' },
      to: { store: 'b', field: 'a_id' },
      cardinality: 'many',
    },
  ],
  [
    'projection',
    { kind: 'projection', name: 'p', source: 'a' },
    {
      kind: 'projection',
      name: 'p',
      source: 'a',
      reads: ['a'],
      relations: [],
      consumer_hint: 'protocol_client',
      reactive: false,
    },
  ],
  [
    'derivation',
    { kind: 'derivation', name: 'd', inputs: [{ store: 'a' }], output: 'b' },
    { kind: 'derivation', name: 'd', inputs: [{ store: 'a' }], output: 'b' },
  ],
  [
    'command',
    { kind: 'command', name: 'c', owner: 'o', operation: 'history_append' },
    {
      kind: 'command',
      name: 'c',
      owner: 'o',
      operation: 'history_append',
      target_shape: 'history',
      boundary: 'app',
      mutation_intent: 'history_append',
    },
  ],
  [
    'effect',
    {
      kind: 'effect',
      name: 'e',
      owner: 'o',
      store_op: 'store_append',
      write_kind: 'append',
      boundary: 'edge',
    },
    {
      kind: 'effect',
      name: 'e',
      owner: 'o',
      store_op: 'store_append',
      write_kind: 'append',
      boundary: 'edge',
      lowers_to: 'history_t',
    },
  ],
  [
    'subscription',
    { kind: 'subscription', name: 'n', source: 'a', events: ['write'] },
    { kind: 'subscription', name: 'n', source: 'a', events: ['write'] },
  ],
];

/** [what, packet, the exact errors] */
const REJECTIONS: Array<[string, unknown, string[]]> = [
  ['a non-object', 'store', ['descriptor must be an object']],
  ['a numeric kind', { kind: 5, name: 'x' }, ['unknown descriptor kind: 5']],
  [
    'schema_version 2',
    { kind: 'store', name: 's', key: 'id', schema_version: 2 },
    ['unsupported descriptor schema_version: 2 (this package speaks 1)'],
  ],
  ['a numeric name', { kind: 'store', name: 5, key: 'id' }, ['name must be a non-empty string']],
  ['an empty name', { kind: 'store', name: '', key: 'id' }, ['name must be a non-empty string']],
  [
    'a name over 512 bytes',
    { kind: 'store', name: 'é'.repeat(257), key: 'id' },
    ['name is over 512 UTF-8 bytes'],
  ],
  [
    'a name with a lone surrogate',
    { kind: 'store', name: 'a\uD800', key: 'id' },
    ['name contains a lone UTF-16 surrogate'],
  ],
  ['a store with a numeric key', { kind: 'store', name: 's', key: 1 }, ['key must be a non-empty string']],
  [
    'a history with an empty partition_key',
    { kind: 'history', name: 'h', key: 'id', partition_key: '' },
    ['partition_key must be a non-empty string'],
  ],
  [
    'an access path with every field wrong',
    {
      kind: 'access_path',
      name: 'a',
      store: 1,
      fields: 'f',
      unique: 'no',
      filters: [],
      cache_ttl: -1,
      lookup: 3,
    },
    [
      'store must be a non-empty string',
      'fields must be an array of non-empty strings',
      'unique must be a boolean',
      'filters must be an object of field values',
      'cache_ttl must be a non-negative number of ms',
      'lookup must be a non-empty string',
    ],
  ],
  ['a relation missing both ends', { kind: 'relation', name: 'r' }, ['missing required fields: from, to']],
  [
    'a projection with numeric reads and relations',
    { kind: 'projection', name: 'p', reads: [1], relations: 'r', reactive: 'yes' },
    [
      'reads (or source) must be a store name or an array of store names',
      'relations must be an array of names',
      'reactive must be a boolean',
    ],
  ],
  [
    'a derivation with a string inputs',
    { kind: 'derivation', name: 'd', inputs: 'a', output: 'b' },
    ['inputs must be an array'],
  ],
  [
    'an effect with an unknown write_kind',
    { kind: 'effect', name: 'e', owner: 'o', store_op: 'none', write_kind: 'upsert' },
    ['unsupported effect write_kind: "upsert"'],
  ],
  [
    'a command named by the prototype',
    { kind: 'command', name: 'c', owner: 'o', operation: 'toString' },
    ['unsupported command operation: "toString"'],
  ],
  [
    'a subscription with an array where',
    { kind: 'subscription', name: 'n', source: 'a', where: [] },
    ['where must be an object'],
  ],
];

describe('normaliseDescriptor', () => {
  it('knows the nine kinds', () => {
    expect(DESCRIPTOR_KINDS).toEqual([
      'store',
      'history',
      'access_path',
      'relation',
      'projection',
      'derivation',
      'command',
      'effect',
      'subscription',
    ]);
  });

  it.each(DEFAULTS)('fills the defaults of a %s and keeps its other fields', (_kind, packet, expected) => {
    const result = normaliseDescriptor(packet);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.descriptor).toEqual(expected);
  });

  it.each(REJECTIONS)('rejects %s with exact errors', (_what, packet, errors) => {
    expect(normaliseDescriptor(packet)).toMatchObject({ ok: false, errors });
  });

  it('drops the packet schema_version and never changes the caller’s object', () => {
    const packet = { kind: 'store', name: 's', key: 'id', schema_version: 1 };
    const result = normaliseDescriptor(packet);
    expect(result).toEqual({ ok: true, descriptor: { kind: 'store', name: 's', key: 'id' }, warnings: [] });
    expect(packet).toEqual({ kind: 'store', name: 's', key: 'id', schema_version: 1 });
  });

  it('reports the kind and name of a rejected descriptor when it has them', () => {
    expect(normaliseDescriptor({ kind: 'command', name: 'c' })).toEqual({
      ok: false,
      kind: 'command',
      name: 'c',
      errors: ['missing required fields: owner, operation'],
    });
  });
});
