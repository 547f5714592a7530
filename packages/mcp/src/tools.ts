import type { Json, JsonObject } from '@igniter/core';
import { IgniterError } from '@igniter/core';
import { z } from 'zod';
import type { StoreAccess } from './store-access.js';

/** One MCP tool: its name, what it does, its input schema and what it runs. */
export interface ToolSpec {
  name: string;
  description: string;
  /** True for `write` and `append` (listed only with `allowWrites`). */
  writes: boolean;
  input: z.ZodType<Record<string, unknown>>;
  run(access: StoreAccess, args: Record<string, unknown>): Promise<JsonObject>;
}

const name = (what: string) => z.string().min(1).describe(what);
const store = name('the store (a name such as "tasks")');
const key = name('the key within the store');
const time = (what: string) => z.number().int().describe(`${what}, in ms since the Unix epoch`);
const asOf = time('answer as known at this transaction time (inclusive)').optional();
const validAt = time('answer with the facts that stood at this valid time').optional();
const limit = z.number().int().min(1).max(10_000).optional();
const jsonObject = z.record(z.string(), z.unknown());

/** Builds a tool whose handler receives the schema's parsed arguments. */
function tool<S extends z.ZodType<Record<string, unknown>>>(
  spec: Omit<ToolSpec, 'input' | 'run'> & {
    input: S;
    run(access: StoreAccess, args: z.output<S>): Promise<JsonObject>;
  },
): ToolSpec {
  return spec as unknown as ToolSpec;
}

function envelope(op: string, packet: JsonObject) {
  return { protocol: 'igniter_store' as const, schema_version: 1 as const, op, packet };
}

/** Runs a protocol op through `access.dispatch`; an error envelope becomes an `IgniterError`. */
async function protocolOp(access: StoreAccess, op: string, packet: JsonObject): Promise<Json> {
  const response = await access.dispatch(envelope(op, packet));
  if (response.status === 'error') {
    const details = response.error_details;
    throw new IgniterError(
      response.error_code as IgniterError['code'],
      response.error,
      details ? { details } : {},
    );
  }
  return response.result as Json;
}

/** Only the defined entries (the client refuses explicit `undefined` fields it does not know). */
function defined<T extends Record<string, unknown>>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

/** Every tool of SERVER.md "MCP", in the order they are listed. */
export const TOOLS: readonly ToolSpec[] = [
  tool({
    name: 'read',
    description:
      'The current value of a key (or as of / valid at a past moment). Answers { found, value }; value is null when not found.',
    writes: false,
    input: z.strictObject({ store, key, as_of: asOf, valid_at: validAt }),
    async run(access, a) {
      const value = await access.read(
        defined({ store: a.store, key: a.key, asOf: a.as_of, validAt: a.valid_at }),
      );
      return value === undefined ? { found: false, value: null } : { found: true, value };
    },
  }),
  tool({
    name: 'read_fact',
    description:
      'The latest fact of a key with its metadata (id, seq, transactionTime, validTime, causation, valueHash...). Answers { found, fact }.',
    writes: false,
    input: z.strictObject({ store, key, as_of: asOf, valid_at: validAt }),
    async run(access, a) {
      const fact = await access.readFact(
        defined({ store: a.store, key: a.key, asOf: a.as_of, validAt: a.valid_at }),
      );
      return { found: fact !== undefined, fact: (fact ?? null) as unknown as Json };
    },
  }),
  tool({
    name: 'history',
    description: 'Every fact of a key, oldest first (by valid time with valid_at). Answers { facts }.',
    writes: false,
    input: z.strictObject({
      store,
      key,
      since: time('only facts committed at or after this time').optional(),
      as_of: asOf,
      valid_at: validAt,
    }),
    async run(access, a) {
      const facts = await access.history(
        defined({ store: a.store, key: a.key, since: a.since, asOf: a.as_of, validAt: a.valid_at }),
      );
      return { facts: facts as unknown as Json };
    },
  }),
  tool({
    name: 'query',
    description:
      'The latest fact of every key of a store whose value has the fields of `where` (field equality), in key order, ' +
      'one page at a time (limit default 100). Pass `next` as `after` for the next page. Answers { facts, next }.',
    writes: false,
    input: z.strictObject({
      store,
      scope: name('a registered scope of the store').optional(),
      where: jsonObject.describe('field equality on the latest value, e.g. { "status": "open" }').optional(),
      as_of: asOf,
      valid_at: validAt,
      limit,
      after: z.string().describe('only keys after this one (the `next` of the previous page)').optional(),
    }),
    async run(access, a) {
      const page = await access.query(
        defined({
          store: a.store,
          scope: a.scope,
          where: a.where as JsonObject | undefined,
          asOf: a.as_of,
          validAt: a.valid_at,
          limit: a.limit,
          after: a.after,
        }),
      );
      return page as unknown as JsonObject;
    },
  }),
  tool({
    name: 'lineage',
    description: 'Where a key came from: its chain of facts, the derivations that feed it, and a proof hash.',
    writes: false,
    input: z.strictObject({ store, key }),
    async run(access, a) {
      return (await access.lineage({ store: a.store, key: a.key })) as unknown as JsonObject;
    },
  }),
  tool({
    name: 'fact_ref',
    description:
      'A reference to a fact by id (store, key, times, value hash; never its value), as the protocol op fact_ref answers it: { found, ref }.',
    writes: false,
    input: z.strictObject({ fact_id: name('the fact id (a UUIDv7)') }),
    run: async (access, a) => (await protocolOp(access, 'fact_ref', { fact_id: a.fact_id })) as JsonObject,
  }),
  tool({
    name: 'replay',
    description:
      'Every fact with seq > after, in commit order, one page at a time (limit default 1000). Answers { facts, next_cursor, has_more }.',
    writes: false,
    input: z.strictObject({
      after: z.number().int().min(0).describe('a seq cursor (exclusive)').optional(),
      limit,
    }),
    async run(access, a) {
      return (await access.replay(defined({ after: a.after, limit: a.limit }))) as unknown as JsonObject;
    },
  }),
  tool({
    name: 'stores',
    description: 'The user stores with their fact and key counts. Answers { stores }.',
    writes: false,
    input: z.strictObject({}),
    async run(access) {
      return { stores: (await access.stores()) as unknown as Json };
    },
  }),
  tool({
    name: 'keys',
    description:
      'The keys of a store in order, one page at a time (limit default 100); pass `next` as `after`. Answers { keys, next }.',
    writes: false,
    input: z.strictObject({
      store,
      prefix: z.string().describe('only keys that start with this').optional(),
      after: z.string().describe('only keys after this one').optional(),
      limit,
    }),
    async run(access, a) {
      return (await access.keys(
        defined({ store: a.store, prefix: a.prefix, after: a.after, limit: a.limit }),
      )) as unknown as JsonObject;
    },
  }),
  tool({
    name: 'storage_stats',
    description:
      'Bytes and fact counts on disk, in total and per store, as the protocol op storage_stats answers them. Answers { stats } (null in memory).',
    writes: false,
    input: z.strictObject({ store: name('only this store in `stores`').optional() }),
    run: async (access, a) => ({
      stats: await protocolOp(access, 'storage_stats', a.store === undefined ? {} : { store: a.store }),
    }),
  }),
  tool({
    name: 'write',
    description:
      'Writes a value to a key (a new fact; nothing is ever overwritten). expect_seq / expect_absent make it conditional ' +
      '(ERR_CONFLICT otherwise); idempotency_key makes a retry safe. Answers { fact }.',
    writes: true,
    input: z.strictObject({
      store,
      key,
      value: z.unknown().describe('any JSON value'),
      valid_time: time('when the value became true in the world').optional(),
      schema_version: z.number().int().min(1).optional(),
      producer: jsonObject.describe('who produced it, a JSON object').optional(),
      expect_seq: z.number().int().min(1).describe('write only if the key is at this seq').optional(),
      expect_absent: z.literal(true).describe('write only if the key has no fact').optional(),
      idempotency_key: z.string().min(1).max(512).optional(),
    }),
    async run(access, a) {
      if (a.expect_seq !== undefined && a.expect_absent !== undefined) {
        throw new IgniterError('ERR_INVALID_ARGUMENT', 'give at most one of expect_seq and expect_absent');
      }
      const expect =
        a.expect_seq !== undefined
          ? { seq: a.expect_seq }
          : a.expect_absent
            ? { absent: true as const }
            : undefined;
      const fact = await access.write(
        defined({
          store: a.store,
          key: a.key,
          value: a.value as Json,
          validTime: a.valid_time,
          schemaVersion: a.schema_version,
          producer: a.producer as JsonObject | undefined,
          expect,
          idempotencyKey: a.idempotency_key,
        }),
      );
      return { fact: fact as unknown as Json };
    },
  }),
  tool({
    name: 'append',
    description: 'Appends an event (a JSON object) to a history store under a fresh key. Answers { fact }.',
    writes: true,
    input: z.strictObject({
      history: name('the history store'),
      event: jsonObject.describe('the event, a JSON object'),
      valid_time: time('when the event happened').optional(),
      partition_key: z.string().min(1).describe('an event field to index eagerly').optional(),
      producer: jsonObject.describe('who produced it, a JSON object').optional(),
      idempotency_key: z.string().min(1).max(512).optional(),
    }),
    async run(access, a) {
      const fact = await access.append(
        defined({
          history: a.history,
          event: a.event as JsonObject,
          validTime: a.valid_time,
          partitionKey: a.partition_key,
          producer: a.producer as JsonObject | undefined,
          idempotencyKey: a.idempotency_key,
        }),
      );
      return { fact: fact as unknown as Json };
    },
  }),
];
