import type { Changefeed, ChangeSink } from '@igniter/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badArgument, notFound } from '../http-error.js';
import { querySchema, seqParam } from '../request-values.js';
import type { RouteContext } from '../route-context.js';

type EventsQuery = { after?: string; stores?: string; access_token?: string };

/** The store's changefeed when it can be subscribed to (a `Changefeed`, from either build of core). */
export function subscribable(sink: ChangeSink | undefined): Pick<Changefeed, 'subscribe'> | undefined {
  return sink && typeof (sink as Partial<Changefeed>).subscribe === 'function'
    ? (sink as Changefeed)
    : undefined;
}

/** The resume cursor: `after`, else `Last-Event-ID`; undefined for a live-only stream. */
function cursorOf(request: FastifyRequest<{ Querystring: EventsQuery }>): number | undefined {
  const after = seqParam(request.query.after, 'after');
  if (after !== undefined) return after;
  const header = request.headers['last-event-id'];
  if (header === undefined) return undefined;
  return seqParam(typeof header === 'string' ? header.trim() : '', 'Last-Event-ID');
}

/** `stores=a,b`: each name URL-decoded by the query parser; empty names are refused. */
function storesOf(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const stores = value.split(',');
  if (stores.some((store) => store.length === 0))
    throw badArgument('stores must be a comma-separated list of store names');
  return stores;
}

/**
 * `GET /v1/events?after=&stores=a,b`: the SSE changefeed. `Last-Event-ID` resumes like `after`;
 * a cursor past the store's last seq is 400 (a cursor from the future would skip events). The
 * token may come as `?access_token=` (a browser's EventSource cannot send headers).
 */
export function eventRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get<{ Querystring: EventsQuery }>(
    '/v1/events',
    { schema: { querystring: querySchema(['after', 'stores', 'access_token']) } },
    async (request, reply) => {
      const principal = context.principalOf(request);
      const stores = storesOf(request.query.stores);
      for (const store of stores ?? []) principal.require('read', store);
      const changefeed = subscribable(context.store.changefeed);
      if (!changefeed) throw notFound('this store has no changefeed (serve it with a Changefeed attached)');
      const after = cursorOf(request);
      const lastSeq = context.store.lastSeq();
      if (after !== undefined && after > lastSeq) {
        throw badArgument(`after ${after} is past the last seq ${lastSeq} of this store`, { after, lastSeq });
      }
      context.streams.checkCapacity();
      // Subscribing may still throw (an ordinary error reply); only then is the response taken over.
      context.streams.start(changefeed, reply.raw, principal, { after, stores });
      context.streamStarted(request);
      reply.hijack();
    },
  );
}
