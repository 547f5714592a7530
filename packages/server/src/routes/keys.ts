import type { Fact, WriteInput } from '@igniter/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { factBody, factsBody } from '../fact-json.js';
import { badArgument, notFound } from '../http-error.js';
import { checkBodyTime, limitParam, querySchema, timeParam } from '../request-values.js';
import type { RouteContext } from '../route-context.js';

type KeyParams = { store: string; key: string };
/** A PUT body as {@link PUT_BODY} lets it through. */
type PutBody = Pick<WriteInput, 'value' | 'validTime' | 'schemaVersion' | 'producer' | 'causation'>;
type Query = Record<string, string | undefined>;

const PUT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: {
    value: {},
    validTime: { type: 'integer' },
    schemaVersion: { type: 'integer' },
    producer: { type: ['object', 'null'] },
    causation: { type: ['string', 'null'] },
  },
} as const;

/** Largest `limit` of a keys page (SERVER.md). */
const MAX_KEYS = 10_000;

/** The seq of an `If-Match` header: `5` or the ETag form `"5"`. */
function ifMatchSeq(header: string): number {
  const bare = header
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  const seq = /^\d{1,16}$/.test(bare) ? Number(bare) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < 1) throw badArgument('If-Match must be a seq: an integer >= 1');
  return seq;
}

/** The `expect` of a write from its conditional headers. */
function expectation(request: FastifyRequest): { seq: number } | { absent: true } | undefined {
  const ifMatch = request.headers['if-match'];
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw badArgument('give at most one of If-Match and If-None-Match');
  }
  if (typeof ifMatch === 'string') return { seq: ifMatchSeq(ifMatch) };
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*')
      throw badArgument('If-None-Match must be * (expect the key to be absent)');
    return { absent: true };
  }
  return undefined;
}

/** The `Idempotency-Key` header, if any (the store checks its length). */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string') throw badArgument('give one Idempotency-Key header');
  return header;
}

/**
 * Answers `reply` with `fact`, just written (`created`: its seq is new), once it is durable: 201
 * with the new fact, 200 with the existing one for an idempotent repeat (which also waits: the
 * fact it returns may still be in the group-commit window). The route returns nothing and
 * sends nothing itself. Cost: three slots in the flush's group, no promise.
 */
export function answerWhenDurable(
  context: RouteContext,
  reply: FastifyReply,
  fact: Fact,
  created: boolean,
): void {
  if (created) context.metrics.wrote();
  reply.code(created ? 201 : 200);
  context.commit.after(sendFact, reply, fact);
}

/** Sends `fact` once its flush ended, or the flush's error (through the error handler). */
function sendFact(reply: FastifyReply, fact: Fact, error: unknown): void {
  if (error !== undefined) {
    reply.send(error);
    return;
  }
  reply.header('etag', `"${fact.seq}"`);
  reply.send(factBody(reply, fact));
}

/**
 * `/v1/stores/:store/keys...`: the keys of a store, a key's latest fact (time travel with
 * `asOf`/`validAt`), conditional and idempotent writes, a key's history and lineage.
 */
export function keyRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  app.get<{ Params: { store: string }; Querystring: Query }>(
    '/v1/stores/:store/keys',
    { schema: { querystring: querySchema(['prefix', 'after', 'limit']) } },
    async (request) => {
      const name = request.params.store;
      context.principalOf(request).require('read', name);
      const { prefix, after } = request.query;
      const limit = limitParam(request.query.limit, 100, MAX_KEYS);
      const keys = store.keys({ store: name, prefix, after, limit: limit + 1 });
      const page = keys.slice(0, limit);
      return { keys: page, next: keys.length > limit ? (page.at(-1) ?? null) : null };
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/v1/stores/:store/keys/:key',
    { schema: { querystring: querySchema(['asOf', 'validAt']) } },
    async (request, reply) => {
      const { store: name, key } = request.params;
      context.principalOf(request).require('read', name);
      const fact = store.readFact({
        store: name,
        key,
        asOf: timeParam(request.query.asOf, 'asOf'),
        validAt: timeParam(request.query.validAt, 'validAt'),
      });
      if (!fact) throw notFound(`no fact for key ${JSON.stringify(key.slice(0, 128))} in this store`);
      reply.header('etag', `"${fact.seq}"`);
      return factBody(reply, fact);
    },
  );

  app.put<{ Params: KeyParams; Body: PutBody }>(
    '/v1/stores/:store/keys/:key',
    { schema: { body: PUT_BODY } },
    // Not async: the reply is sent by the flush's group (answerWhenDurable), not by a promise per request.
    (request, reply) => {
      const { store: name, key } = request.params;
      context.principalOf(request).require('write', name);
      const body = request.body;
      checkBodyTime(body.validTime, 'validTime');
      const expect = expectation(request);
      const idempotencyKey = idempotencyKeyOf(request);
      // Every field spelled out, absent ones undefined (which the store reads as absent): one
      // object shape for every request, cheaper to build and check than a spread of the body.
      const input: WriteInput = {
        store: name,
        key,
        value: body.value,
        validTime: body.validTime,
        schemaVersion: body.schemaVersion,
        producer: body.producer,
        causation: body.causation,
        expect,
        idempotencyKey,
      };
      const before = store.lastSeq();
      const fact = store.write(input);
      answerWhenDurable(context, reply, fact, fact.seq > before);
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/v1/stores/:store/keys/:key/history',
    { schema: { querystring: querySchema(['since', 'asOf', 'validAt']) } },
    async (request, reply) => {
      const { store: name, key } = request.params;
      context.principalOf(request).require('read', name);
      const facts = store.history({
        store: name,
        key,
        since: timeParam(request.query.since, 'since'),
        asOf: timeParam(request.query.asOf, 'asOf'),
        validAt: timeParam(request.query.validAt, 'validAt'),
      });
      return factsBody(reply, facts);
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/v1/stores/:store/keys/:key/lineage',
    { schema: { querystring: querySchema([]) } },
    async (request) => {
      const { store: name, key } = request.params;
      context.principalOf(request).require('read', name);
      return store.lineage({ store: name, key });
    },
  );
}
