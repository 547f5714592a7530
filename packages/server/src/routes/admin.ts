import { basename, isAbsolute } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badArgument } from '../http-error.js';
import type { RouteContext } from '../route-context.js';

const NO_BODY = { type: 'object', additionalProperties: false, properties: {} } as const;
const BACKUP_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['dest'],
  properties: { dest: { type: 'string', minLength: 1 } },
} as const;
const COMPACT_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { store: { type: 'string' } },
} as const;

/**
 * `/v1/admin/*`, for admin tokens: checkpoint, verify, backup (to a path on the server),
 * compact, and promote (a served follower becomes the writer: REPLICATION.md's `promote()`;
 * 503 `ERR_LOCKED` while the writer lives; a writer answers at once). Bodies are optional JSON
 * objects; unknown fields are 400.
 */
export function adminRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;
  const admin = (request: FastifyRequest): void => context.principalOf(request).require('admin', '*');
  // A POST without a body (curl -X POST) means no options.
  const emptyBody = {
    preValidation: async (request: FastifyRequest) => {
      request.body ??= {};
    },
  };

  app.post('/v1/admin/checkpoint', { ...emptyBody, schema: { body: NO_BODY } }, async (request) => {
    admin(request);
    store.checkpoint();
    await store.flush();
    return { checkpointed: true, lastSeq: store.lastSeq(), factCount: store.factCount() };
  });

  app.post('/v1/admin/verify', { ...emptyBody, schema: { body: NO_BODY } }, async (request) => {
    admin(request);
    const result = await store.verify();
    // A problem names the data file by its base name only: responses carry no server paths.
    const problems = result.problems.map((problem) =>
      problem.file === undefined ? problem : { ...problem, file: basename(problem.file) },
    );
    return { ...result, problems };
  });

  app.post<{ Body: { dest: string } }>(
    '/v1/admin/backup',
    { ...emptyBody, schema: { body: BACKUP_BODY } },
    async (request) => {
      admin(request);
      const { dest } = request.body;
      if (!isAbsolute(dest))
        throw badArgument('dest must be an absolute path on the server', { field: 'dest' });
      return store.backup(dest);
    },
  );

  app.post<{ Body: { store?: string } }>(
    '/v1/admin/compact',
    { ...emptyBody, schema: { body: COMPACT_BODY } },
    async (request) => {
      admin(request);
      const results = store.compact(request.body?.store);
      await context.commit.durable();
      return { results };
    },
  );

  app.post('/v1/admin/promote', { ...emptyBody, schema: { body: NO_BODY } }, async (request) => {
    admin(request);
    await store.promote();
    return { role: store.role, lastSeq: store.lastSeq() };
  });
}
