import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Changefeed } from '../src/changefeed.js';
import { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';
import { MemoryBackend } from './support/memory-backend.js';
import { logShape, newStore, thrown } from './support/store.js';

/** A store with one fact in it, so that reads have something to find. */
function seeded() {
  const made = newStore();
  made.store.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
  return made;
}

type Call = (store: IgniterStore, extra: Record<string, unknown>) => unknown;

/** Every call of the store that takes an input object, with a valid input the extra field is added to. */
const CALLS: Array<[string, Call]> = [
  ['write', (s, x) => s.write({ store: 'tasks', key: 't2', value: 1, ...x })],
  [
    'writeMany',
    (s, x) =>
      s.writeMany([
        { store: 'tasks', key: 't2', value: 1 },
        { store: 'tasks', key: 't3', value: 1, ...x },
      ]),
  ],
  ['append', (s, x) => s.append({ history: 'events', event: { a: 1 }, ...x })],
  ['read', (s, x) => s.read({ store: 'tasks', key: 't1', ...x })],
  ['readFact', (s, x) => s.readFact({ store: 'tasks', key: 't1', ...x })],
  ['keys', (s, x) => s.keys({ store: 'tasks', prefix: 't', ...x })],
  [
    'query without scope',
    (s, x) => s.query({ store: 'tasks', where: { status: 'open' }, limit: 5, after: 'a', ...x }),
  ],
  ['timeTravel', (s, x) => s.timeTravel({ store: 'tasks', key: 't1', at: 5_000, ...x })],
  ['history', (s, x) => s.history({ store: 'tasks', ...x })],
  [
    'historyPartition',
    (s, x) => s.historyPartition({ store: 'tasks', partitionKey: 'status', partitionValue: 'open', ...x }),
  ],
  ['query', (s, x) => s.query({ store: 'tasks', scope: 'open', ...x })],
  ['factLogAll', (s, x) => s.factLogAll({ ...x })],
  ['causationChain', (s, x) => s.causationChain({ store: 'tasks', key: 't1', ...x })],
  ['lineage', (s, x) => s.lineage({ store: 'tasks', key: 't1', ...x })],
  [
    'registerPath',
    (s, x) => s.registerPath({ store: 'tasks', scope: 'done', filters: { status: 'done' }, ...x }),
  ],
  [
    'registerDerivation',
    (s, x) =>
      s.registerDerivation({
        sourceStore: 'tasks',
        targetStore: 'stats',
        targetKey: 'n',
        rule: (f) => f.length,
        ...x,
      }),
  ],
  [
    'registerScatter',
    (s, x) =>
      s.registerScatter({
        sourceStore: 'tasks',
        partitionBy: 'status',
        targetStore: 'by_status',
        rule: () => 1,
        ...x,
      }),
  ],
  [
    'registerRelation',
    (s, x) => s.registerRelation('r', { source: 'tasks', partition: 'status', target: 'statuses', ...x }),
  ],
  ['resolve', (s, x) => s.resolve('rel', { from: 'open', ...x })],
  ['registerProjection', (s, x) => s.registerProjection({ name: 'p', reads: ['tasks'], ...x })],
  ['setRetention', (s, x) => s.setRetention('tasks', { strategy: 'ephemeral', ...x })],
  ['pruneFactIds', (s, x) => s.pruneFactIds({ factIds: [], reason: 'spec', ...x })],
  ['compactionReceipts', (s, x) => s.compactionReceipts({ ...x })],
  ['compactionActivity', (s, x) => s.compactionActivity({ ...x })],
  ['storageStats', (s, x) => s.storageStats({ ...x })],
  ['segmentManifest', (s, x) => s.segmentManifest({ ...x })],
  ['write expect', (s, x) => s.write({ store: 'tasks', key: 't1', value: 2, expect: { seq: 1, ...x } })],
];

describe(`strict inputs (${ENGINE_KIND} engine)`, () => {
  it.each(CALLS)('%s refuses an unknown field, naming it, and changes nothing', (_, call) => {
    const { store } = seeded();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { status: 'open' } });
    store.registerRelation('rel', { source: 'tasks', partition: 'status', target: 'statuses' });
    const before = logShape(store);
    const error = thrown(() => call(store, { bogus: 1 }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.details).toEqual({ field: 'bogus' });
    expect(error.message).toContain('"bogus"');
    expect(logShape(store)).toEqual(before);
  });

  it.each(CALLS)('%s accepts the same input without the unknown field', (_, call) => {
    const { store } = seeded();
    store.registerPath({ store: 'tasks', scope: 'open', filters: { status: 'open' } });
    store.registerRelation('rel', { source: 'tasks', partition: 'status', target: 'statuses' });
    expect(() => call(store, {})).not.toThrow();
  });

  it('suggests the field a misspelt one differs from only in case', () => {
    const { store } = seeded();
    const error = thrown(() => store.write({ store: 'tasks', key: 't1', value: 1, validtime: 5 } as never));
    expect(error.message).toBe('write has an unknown field "validtime" (did you mean "validTime"?)');
  });

  it('lists the known fields when nothing is close', () => {
    const { store } = seeded();
    const error = thrown(() => store.read({ store: 'tasks', key: 't1', when: 5 } as never));
    expect(error.message).toBe(
      'read input has an unknown field "when" (known fields: store, key, asOf, validAt, ttl)',
    );
  });

  it('names the writeMany item that carries the unknown field', () => {
    const { store } = seeded();
    const error = thrown(() =>
      store.writeMany([
        { store: 'tasks', key: 'a', value: 1 },
        { store: 'tasks', key: 'b', value: 1, vaule: 2 } as never,
      ]),
    );
    expect(error.message).toMatch(/^inputs\[1\] has an unknown field "vaule"/);
    expect(store.factCount()).toBe(1);
  });

  it('accepts a field that is present but undefined', () => {
    const { store } = seeded();
    expect(store.write({ store: 'tasks', key: 't1', value: 2, validTime: undefined }).validTime).toBeNull();
  });

  it('refuses an unknown store option', () => {
    const error = thrown(() => new IgniterStore({ engin: 'ts' } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'engin' }]);
  });

  it('refuses file backend options given beside a backend object', () => {
    const error = thrown(() => IgniterStore.open(new MemoryBackend(), { durability: 'fsync' }));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'durability' }]);
  });

  it('refuses an unknown option of IgniterStore.open before any file is created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'igniter-strict-'));
    try {
      const error = thrown(() => IgniterStore.open(join(dir, 'app.log'), { retention: {} }));
      expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'retention' }]);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown changefeed option', () => {
    const error = thrown(() => new Changefeed({ capacty: 5 } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'capacty' }]);
  });

  it('refuses an unknown subscribe option', () => {
    const error = thrown(() => new Changefeed().subscribe({ from: 0 } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'from' }]);
  });
});

describe(`strict times (${ENGINE_KIND} engine)`, () => {
  const bad: Array<[string, unknown]> = [
    ['a fraction of a ms', 1.5],
    ['a number beyond the Date range', 1e300],
    ['one ms beyond the Date range', 8.64e15 + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an invalid Date', new Date(Number.NaN)],
    ['a numeric string', '1000'],
  ];

  it.each(bad)('refuses %s as a validTime and writes nothing', (_, validTime) => {
    const { store } = seeded();
    const error = thrown(() => store.write({ store: 'tasks', key: 't1', value: 2, validTime } as never));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toMatch(/^validTime /);
    expect(store.factCount()).toBe(1);
  });

  it.each([
    ['read asOf', (s: IgniterStore, t: unknown) => s.read({ store: 'tasks', key: 't1', asOf: t as number })],
    [
      'read validAt',
      (s: IgniterStore, t: unknown) => s.read({ store: 'tasks', key: 't1', validAt: t as number }),
    ],
    ['history since', (s: IgniterStore, t: unknown) => s.history({ store: 'tasks', since: t as number })],
    [
      'timeTravel at',
      (s: IgniterStore, t: unknown) => s.timeTravel({ store: 'tasks', key: 't1', at: t as number }),
    ],
    ['factLogAll asOf', (s: IgniterStore, t: unknown) => s.factLogAll({ asOf: t as number })],
    [
      'append validTime',
      (s: IgniterStore, t: unknown) => s.append({ history: 'h', event: {}, validTime: t as number }),
    ],
  ])('refuses a fractional time in %s', (_, call) => {
    const { store } = seeded();
    expect(thrown(() => call(store, 2.5)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('accepts the ends of the Date range as valid times', () => {
    const { store } = seeded();
    expect(store.write({ store: 'tasks', key: 'early', value: 1, validTime: -8.64e15 }).validTime).toBe(
      -8.64e15,
    );
    expect(
      store.write({ store: 'tasks', key: 'late', value: 1, validTime: new Date(8.64e15) }).validTime,
    ).toBe(8.64e15);
  });

  it.each([
    ['a fraction of a ms', 1.5],
    ['more ms than the Date range holds', 8.64e15 + 2],
    ['zero', 0],
  ])('refuses %s as a rolling_window duration', (_, duration) => {
    const { store } = seeded();
    const error = thrown(() => store.setRetention('tasks', { strategy: 'rolling_window', duration }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });
});
