import type { FastifyInstance } from 'fastify';
import { querySchema } from '../request-values.js';
import type { RouteContext } from '../route-context.js';

/** What `GET /v1/health` answers (SERVER.md). */
export interface Health {
  status: 'ready' | 'draining';
  protocol: 'igniter_store';
  schema_version: 1;
  backend: string;
  engine: string;
  role: 'writer' | 'follower';
  /**
   * On a follower, the time in ms from the writer writing the last fact applied here to this
   * process applying it (null before the first one); null on a writer.
   */
  lag_ms: number | null;
  fact_count: number;
  last_seq: number;
  subscribers: number;
}

/** The store's role: a follower (REPLICATION.md) says so; every other store writes. */
function roleOf(store: object): 'writer' | 'follower' {
  return (store as { role?: unknown }).role === 'follower' ? 'follower' : 'writer';
}

/** `GET /v1/health` (no token needed) and `GET /v1/metrics`. */
export function serviceRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/v1/health', { schema: { querystring: querySchema([]) } }, async (): Promise<Health> => {
    const { store } = context;
    return {
      status: context.draining() ? 'draining' : 'ready',
      protocol: 'igniter_store',
      schema_version: 1,
      backend: context.served.backend,
      engine: store.engine,
      role: roleOf(store),
      lag_ms: context.followerLag.lagMs(),
      fact_count: store.factCount(),
      last_seq: store.lastSeq(),
      subscribers: context.streams.size,
    };
  });

  app.get('/v1/metrics', { schema: { querystring: querySchema([]) } }, async (request, reply) => {
    const { contentType, text } = await context.metrics.render(request.headers.accept);
    reply.header('content-type', contentType);
    return text;
  });
}
