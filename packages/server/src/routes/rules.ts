import type { RuleStatus } from '@igniter/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EVERY_STORE } from '../auth/store-glob.js';
import { HttpError } from '../http-error.js';
import { querySchema } from '../request-values.js';
import type { RouteContext } from '../route-context.js';

const NAME_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 } },
} as const;
const REBUILD_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { into: { type: 'string', minLength: 1 } },
} as const;
const NO_BODY = { type: 'object', additionalProperties: false, properties: {} } as const;

type Named = { Params: { name: string } };

/**
 * The rules of the served store (derivations, scatters, projections, relations; API.md "Derived
 * data"), as the protocol's `rule_status`, `rebuild` and `resume_rule` offer them:
 * `GET /v1/rules` (read on every store: rules read and write across stores) answers
 * `{ rules: ruleStatus() }`; `POST /v1/admin/rules/:name/rebuild` (body `{ into? }`) and
 * `POST /v1/admin/rules/:name/resume` are admin only. A name no rule has is 404 `ERR_NOT_FOUND`.
 * A rebuild answers once the facts it wrote are durable; on a follower it is 503 `ERR_READ_ONLY`.
 */
export function ruleRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;
  const admin = (request: FastifyRequest): void => context.principalOf(request).require('admin', '*');
  const emptyBody = {
    preValidation: async (request: FastifyRequest) => {
      request.body ??= {};
    },
  };
  const statusOf = (name: string): RuleStatus => {
    const status = store.ruleStatus().find((rule) => rule.name === name);
    if (!status) throw new HttpError('ERR_NOT_FOUND', `no rule named "${name.slice(0, 256)}"`);
    return status;
  };

  app.get('/v1/rules', { schema: { querystring: querySchema([]) } }, async (request) => {
    context.principalOf(request).require('read', EVERY_STORE);
    return { rules: store.ruleStatus() };
  });

  app.post<Named & { Body: { into?: string } }>(
    '/v1/admin/rules/:name/rebuild',
    { ...emptyBody, schema: { params: NAME_PARAMS, body: REBUILD_BODY } },
    async (request) => {
      admin(request);
      const { name } = request.params;
      statusOf(name);
      const { into } = request.body;
      const result = await store.rebuild(name, into === undefined ? {} : { into });
      await context.commit.durable();
      return result;
    },
  );

  app.post<Named>(
    '/v1/admin/rules/:name/resume',
    { ...emptyBody, schema: { params: NAME_PARAMS, body: NO_BODY } },
    async (request) => {
      admin(request);
      const { name } = request.params;
      statusOf(name);
      store.resume(name);
      return { rule: statusOf(name) };
    },
  );
}
