import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { IgniterError } from '../src/errors.js';
import type { Fact } from '../src/fact.js';
import type { Json, JsonObject } from '../src/json.js';
import { IgniterStore } from '../src/store.js';

// ARCHITECTURE.md D9: both engines get the same random operations and must give the same answers.
// Ids are random, so every id (and every key or receipt key minted from one) is compared by
// the seq of its fact. It builds both engines itself and runs once, in its own vitest project.

const STORES = ['a', 'b'] as const;
const KEYS = ['k1', 'k2', 'k3', 'k4'] as const;
const FIELD_NAMES = ['x', 'y', 'b', 'a', '10', '9', 'é', '\u{1F600}', 'z z'] as const;
const START = 1_000;
/** Where facts read back are written as values. */
const COPIES = 'copies';
const SEQUENCES = 1000;

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', 'v', 'é\u{1F600}', 'line\nbreak', '"q"'),
  fc.string({ maxLength: 4 }),
);

const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie('json'), { maxKeys: 3 }),
  ),
}));

/** A record value that scopes and partitions can match on. */
const recordValue: fc.Arbitrary<Json> = fc.record(
  { x: fc.integer({ min: 0, max: 2 }), tag: fc.constantFrom('p', 'q'), extra: json },
  { requiredKeys: ['x'] },
);

const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: recordValue },
  { weight: 2, arbitrary: json },
);

/** Values every engine must reject, each built fresh (a cycle cannot be shared data). */
const invalidValue = fc.constantFrom(
  () => ({ a: undefined }),
  () => [1, () => 2],
  () => ({ n: Number.NaN }),
  () => ({ n: Number.POSITIVE_INFINITY }),
  () => ({ big: 1n }),
  () => ({ s: Symbol('s') }),
  () => ({ text: 'lone \uD800' }),
  () => ({ '\uDC00': 1 }),
  () => ({ date: new Date(0) }),
  () => {
    const sparse: Json[] = [];
    sparse[2] = 1;
    return sparse;
  },
  () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    return cycle;
  },
  () => {
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    return deep;
  },
);

const time = fc.integer({ min: START - 5, max: START + 40 });
const optionalTime = fc.option(time, { nil: undefined });
const store = fc.constantFrom(...STORES);
const key = fc.constantFrom(...KEYS);
const pick = fc.nat({ max: 64 });

interface WriteOp {
  store: string;
  key: string;
  value: Json;
  validTime?: number | undefined;
  schemaVersion?: number | undefined;
  idempotencyKey?: string | undefined;
  expect?: { seq: number } | { absent: true } | undefined;
  producer?: JsonObject | undefined;
  causation?: string | null | undefined;
}

const writeInput: fc.Arbitrary<WriteOp> = fc.record(
  {
    store,
    key,
    value,
    validTime: optionalTime,
    schemaVersion: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    idempotencyKey: fc.option(fc.constantFrom('i1', 'i2', 'lone \uDC00 key'), { freq: 4, nil: undefined }),
    expect: fc.option(
      fc.oneof(fc.record({ seq: fc.integer({ min: 1, max: 30 }) }), fc.constant({ absent: true as const })),
      { freq: 5, nil: undefined },
    ),
    producer: fc.option(fc.dictionary(fc.constantFrom(...FIELD_NAMES), json, { maxKeys: 2 }), {
      freq: 5,
      nil: undefined,
    }),
    // Free-form strings: Rust's are UTF-8, so a lone surrogate (or the boundary's escape
    // marker) must still come back exactly.
    causation: fc.option(fc.constantFrom(null, 'external-cause', 'lone \uD800 cause', '\u0000"x"'), {
      freq: 6,
      nil: undefined,
    }),
  },
  { requiredKeys: ['store', 'key', 'value'] },
);

type Op =
  | { op: 'write'; input: WriteOp }
  | { op: 'writeInvalid'; input: WriteOp; make: () => unknown }
  | { op: 'writeMany'; inputs: WriteOp[]; invalidAt: number | undefined; make: () => unknown }
  | { op: 'append'; event: JsonObject; validTime: number | undefined; partitionKey: boolean }
  | { op: 'read'; store: string; key: string; asOf: number | undefined; validAt: number | undefined }
  | {
      op: 'history';
      store: string;
      key: string | undefined;
      since: number | undefined;
      asOf: number | undefined;
      validAt: number | undefined;
    }
  | { op: 'historyPartition'; partitionValue: Json; since: number | undefined; asOf: number | undefined }
  | { op: 'query'; store: string; scope: string; asOf: number | undefined; validAt: number | undefined }
  | { op: 'factById'; pick: number; unknown: boolean }
  | { op: 'prune'; picks: number[] }
  | { op: 'log'; since: number | undefined; asOf: number | undefined }
  | { op: 'lineage'; store: string; key: string }
  | { op: 'names' }
  | { op: 'reopen' }
  | { op: 'copyFact'; pick: number; key: string }
  | { op: 'clock'; to: number };

const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: writeInput.map((input): Op => ({ op: 'write', input })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(writeInput, invalidValue)
      .map(([input, make]): Op => ({ op: 'writeInvalid', input, make })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.array(writeInput, { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat({ max: 3 }), { freq: 3, nil: undefined }),
        invalidValue,
      )
      .map(([inputs, invalidAt, make]): Op => ({ op: 'writeMany', inputs, invalidAt, make })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        event: fc.record({ kind: fc.constantFrom('in', 'out'), n: fc.integer({ min: 0, max: 3 }) }),
        validTime: optionalTime,
        partitionKey: fc.boolean(),
      })
      .map((a): Op => ({ op: 'append', ...a })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ store, key, asOf: optionalTime, validAt: optionalTime })
      .map((r): Op => ({ op: 'read', ...r })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        store: fc.constantFrom('a', 'b', 'h'),
        key: fc.option(key, { nil: undefined }),
        since: optionalTime,
        asOf: optionalTime,
        validAt: optionalTime,
      })
      .map((r): Op => ({ op: 'history', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ partitionValue: fc.constantFrom('in', 'out'), since: optionalTime, asOf: optionalTime })
      .map((r): Op => ({ op: 'historyPartition', ...r })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ store, scope: fc.constantFrom('ones', 'all'), asOf: optionalTime, validAt: optionalTime })
      .map((r): Op => ({ op: 'query', ...r })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ pick, unknown: fc.boolean() }).map((r): Op => ({ op: 'factById', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc.array(pick, { maxLength: 3 }).map((picks): Op => ({ op: 'prune', picks })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ since: optionalTime, asOf: optionalTime }).map((r): Op => ({ op: 'log', ...r })),
  },
  { weight: 1, arbitrary: fc.record({ store, key }).map((r): Op => ({ op: 'lineage', ...r })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'names' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'reopen' }) },
  {
    weight: 1,
    arbitrary: fc.record({ pick, key }).map((r): Op => ({ op: 'copyFact', ...r })),
  },
  { weight: 3, arbitrary: time.map((to): Op => ({ op: 'clock', to })) },
);

/** One engine's store and what its random ids stand for. */
class Subject {
  store: IgniterStore;
  /** Every id, append key and receipt key ever seen -> a name by seq. */
  readonly #names = new Map<string, string>();
  readonly #engine: 'ts' | 'native';
  readonly #clock: () => number;

  constructor(engine: 'ts' | 'native', clock: () => number) {
    this.#engine = engine;
    this.#clock = clock;
    this.store = this.#open(undefined);
  }

  #open(backend: Backend | undefined): IgniterStore {
    const store = new IgniterStore({
      engine: this.#engine,
      clock: this.#clock,
      onRuleError: () => {},
      backend,
    });
    for (const s of STORES) {
      store.registerPath({ store: s, scope: 'ones', filters: { x: 1 } });
      store.registerPath({ store: s, scope: 'all' });
    }
    return store;
  }

  /** A new store hydrated (Engine.load) from this one's facts, as a reopen would be. */
  reopen(): number {
    const facts = this.store.factLogAll();
    const lastSeq = this.store.internalEngine.lastSeq();
    this.store = this.#open({
      replay: () => facts,
      highWaterSeq: () => lastSeq,
      writeFact: () => {},
      flush: async () => {},
      close: async () => {},
    });
    return this.store.factCount();
  }

  /** Learns the ids (and minted keys) of every live fact. */
  learn(): void {
    for (const fact of this.store.factLogAll()) this.#learnFact(fact);
  }

  #learnFact(fact: Fact): void {
    this.#names.set(fact.id, `id#${fact.seq}`);
    if (fact.store === 'h' || fact.store.startsWith('__')) this.#names.set(fact.key, `key#${fact.seq}`);
  }

  /** The n-th live fact's id (wrapping), or undefined for an empty log. */
  idAt(n: number): string | undefined {
    const all = this.store.factLogAll();
    return all.length === 0 ? undefined : all[n % all.length]?.id;
  }

  /** `result` with every known id replaced by its name; values are copied into plain data. */
  normalize(result: unknown): unknown {
    if (typeof result === 'string') return this.#names.get(result) ?? result;
    if (Array.isArray(result)) return result.map((item) => this.normalize(item));
    if (typeof result === 'object' && result !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(result)) out[k] = this.normalize(v);
      // A receipt's (or a copied fact's) value holds fact ids, so its hash differs with the
      // ids; its value is compared.
      const holdsIds = typeof out.store === 'string' && (out.store.startsWith('__') || out.store === COPIES);
      if (holdsIds && 'valueHash' in out) out.valueHash = 'receipt';
      // A lineage proof hashes fact ids.
      if (typeof out.proofHash === 'string') out.proofHash = 'proof';
      return out;
    }
    return result;
  }

  /** Runs one operation: its normalized result, or the code of the error it threw. */
  run(op: Op): unknown {
    try {
      const result = this.#apply(op);
      if (Array.isArray(result)) for (const item of result) this.#learnIfFact(item);
      else this.#learnIfFact(result);
      this.learn();
      return { ok: this.normalize(result) };
    } catch (error) {
      if (error instanceof IgniterError) return { error: error.code, details: this.normalize(error.details) };
      throw error;
    }
  }

  #learnIfFact(result: unknown): void {
    if (typeof result === 'object' && result !== null && 'seq' in result && 'id' in result) {
      this.#learnFact(result as Fact);
    }
  }

  #apply(op: Op): unknown {
    const s = this.store;
    switch (op.op) {
      case 'write':
        return s.write(op.input);
      case 'writeInvalid':
        return s.write({ ...op.input, value: op.make() as Json });
      case 'writeMany':
        return s.writeMany(
          op.inputs.map((input, i) => (i === op.invalidAt ? { ...input, value: op.make() as Json } : input)),
        );
      case 'append':
        return s.append({
          history: 'h',
          event: op.event,
          validTime: op.validTime,
          ...(op.partitionKey ? { partitionKey: 'kind' } : {}),
        });
      case 'read':
        return s.read({ store: op.store, key: op.key, asOf: op.asOf, validAt: op.validAt });
      case 'history':
        return s.history({
          store: op.store,
          key: op.key,
          since: op.since,
          asOf: op.asOf,
          validAt: op.validAt,
        });
      case 'historyPartition':
        return s.historyPartition({
          store: 'h',
          partitionKey: 'kind',
          partitionValue: op.partitionValue,
          since: op.since,
          asOf: op.asOf,
        });
      case 'query':
        return s.query({ store: op.store, scope: op.scope, asOf: op.asOf, validAt: op.validAt });
      case 'factById':
        return s.factById(op.unknown ? '0190f0c5-8a4b-7d3e-9f21-0123456789ab' : (this.idAt(op.pick) ?? ''));
      case 'prune': {
        const ids = op.picks.map((n) => this.idAt(n)).filter((id): id is string => id !== undefined);
        return s.pruneFactIds({ factIds: ids, reason: 'differential' });
      }
      case 'log':
        return [s.factLogAll({ since: op.since, asOf: op.asOf }), s.factCount()];
      case 'lineage':
        return [
          s.lineage({ store: op.store, key: op.key }),
          s.causationChain({ store: op.store, key: op.key }),
        ];
      case 'names': {
        // Engine level: the order of keys and stores is observable by rules (D9).
        const engine = s.internalEngine;
        return [
          engine.stores(),
          ...engine.stores().map((name) => [engine.keys(name), engine.storeCounts(name)]),
          s.stores(),
          s.lastSeq(),
        ];
      }
      case 'reopen':
        return this.reopen();
      case 'copyFact': {
        // A fact read back is itself a JSON object that can be written as a value.
        const id = this.idAt(op.pick);
        const fact = id === undefined ? undefined : s.factById(id);
        return fact && s.write({ store: COPIES, key: op.key, value: fact as unknown as Json });
      }
      case 'clock':
        return undefined;
    }
  }
}

describe('the native and TS engines', () => {
  it(`give the same results for ${SEQUENCES} random operation sequences`, () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), (ops) => {
        let now = START;
        const clock = (): number => now;
        const ts = new Subject('ts', clock);
        const native = new Subject('native', clock);
        expect(native.store.engine).toBe('native');
        for (const [index, op] of ops.entries()) {
          if (op.op === 'clock') now = op.to;
          const expected = ts.run(op);
          const actual = native.run(op);
          expect(actual, `operation ${index}: ${op.op}`).toEqual(expected);
          // Same key order too (toEqual ignores it): fact fields and value keys.
          expect(JSON.stringify(actual), `operation ${index}: ${op.op}`).toBe(JSON.stringify(expected));
          now += 1;
        }
        expect(native.normalize(native.store.factLogAll())).toEqual(ts.normalize(ts.store.factLogAll()));
      }),
      { numRuns: SEQUENCES },
    );
  });
});
