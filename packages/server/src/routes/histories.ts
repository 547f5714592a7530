import type { JsonObject } from '@igniter/core';
import type { FastifyInstance } from 'fastify';
import { checkBodyTime } from '../request-values.js';
import type { RouteContext } from '../route-context.js';
import { answerWhenDurable, idempotencyKeyOf } from './keys.js';

const APPEND_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['event'],
  properties: {
    event: { type: 'object' },
    partitionKey: { type: 'string' },
    validTime: { type: 'integer' },
    producer: { type: ['object', 'null'] },
  },
} as const;

interface AppendBody {
  event: JsonObject;
  partitionKey?: string;
  validTime?: number;
  producer?: JsonObject | null;
}

/** `POST /v1/histories/:history/events`: appends an event (a fresh UUIDv7 key), durable before 201. */
export function historyRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post<{ Params: { history: string }; Body: AppendBody }>(
    '/v1/histories/:history/events',
    {
      schema: {
        body: APPEND_BODY,
      },
    },
    (request, reply) => {
      const history = request.params.history;
      context.principalOf(request).require('write', history);
      checkBodyTime(request.body.validTime, 'validTime');
      const idempotencyKey = idempotencyKeyOf(request);
      const before = context.store.lastSeq();
      const fact = context.store.append({
        ...request.body,
        history,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      answerWhenDurable(context, reply, fact, fact.seq > before);
    },
  );
}
