import type { Fact, JsonObject } from '@igniter/core';
import type { Interpreter } from '@igniter/protocol';
import type { FastifyInstance } from 'fastify';
import { factBody, factsBody } from '../fact-json.js';
import { badArgument, notFound } from '../http-error.js';
import { checkBodyTime, limitParam, querySchema, seqParam } from '../request-values.js';
import type { RouteContext } from '../route-context.js';

type Query = Record<string, string | undefined>;

const QUERY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['store'],
  properties: {
    store: { type: 'string' },
    scope: { type: 'string' },
    where: { type: 'object' },
    asOf: { type: 'integer' },
    validAt: { type: 'integer' },
    limit: { type: 'integer' },
    after: { type: 'string' },
  },
} as const;

interface QueryBody {
  store: string;
  scope?: string;
  where?: JsonObject;
  asOf?: number;
  validAt?: number;
  limit?: number;
  after?: string;
}

/** Default and largest page of `/v1/query` and `/v1/replay` (the protocol's bounds). */
const QUERY_LIMIT = { default: 100, max: 10_000 };
const REPLAY_LIMIT = { default: 1000, max: 10_000 };

/**
 * The read routes that are not about one key: `/v1/stores`, `/v1/query`, `/v1/facts/:id` and
 * `/v1/replay`. A token sees only the stores its globs let it read.
 */
export function readRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  app.get('/v1/stores', { schema: { querystring: querySchema([]) } }, async (request) => {
    const principal = context.principalOf(request);
    return store.stores().filter((entry) => principal.may('read', entry.store));
  });

  app.post<{ Body: QueryBody }>('/v1/query', { schema: { body: QUERY_BODY } }, async (request, reply) => {
    const body = request.body;
    context.principalOf(request).require('read', body.store);
    checkBodyTime(body.asOf, 'asOf');
    checkBodyTime(body.validAt, 'validAt');
    const limit = body.limit ?? QUERY_LIMIT.default;
    if (limit < 1 || limit > QUERY_LIMIT.max) {
      throw badArgument(`limit must be an integer from 1 to ${QUERY_LIMIT.max}`, { field: 'limit' });
    }
    const facts = store.query({ ...body, limit: limit + 1 });
    const page = facts.slice(0, limit);
    return factsBody(reply, page, { next: facts.length > limit ? (page.at(-1)?.key ?? null) : null });
  });

  app.get<{ Params: { id: string } }>(
    '/v1/facts/:id',
    { schema: { querystring: querySchema([]) } },
    async (request, reply) => {
      const principal = context.principalOf(request);
      const fact = store.factById(request.params.id);
      if (!fact) throw notFound('no live fact has this id');
      principal.require('read', fact.store);
      return factBody(reply, fact);
    },
  );

  app.get<{ Querystring: Query }>(
    '/v1/replay',
    { schema: { querystring: querySchema(['after', 'limit']) } },
    async (request, reply) => {
      const principal = context.principalOf(request);
      const after = seqParam(request.query.after, 'after') ?? 0;
      const limit = limitParam(request.query.limit, REPLAY_LIMIT.default, REPLAY_LIMIT.max);
      const page = store.protocol<Interpreter>().replay({ after, limit });
      const facts: Fact[] = [];
      for (const packet of page.facts) {
        const fact = store.factById(packet.id);
        if (fact && principal.may('read', fact.store)) facts.push(fact);
      }
      return factsBody(reply, facts, { next_cursor: page.next_cursor, has_more: page.has_more });
    },
  );
}
