import { dispatch, PROTOCOL, SCHEMA_VERSION } from '@igniter/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { needOf } from '../dispatch-access.js';
import { HttpError } from '../http-error.js';
import type { RouteContext } from '../route-context.js';

/**
 * Ops that may answer with a fact that an earlier request committed (an idempotent repeat): they
 * wait for group commit even when they wrote nothing. Any op that committed a fact (a rebuild,
 * too) waits as well.
 */
const WRITING_OPS = new Set(['write', 'write_fact', 'append', 'register_descriptor']);

function requestIdOf(body: unknown): string | number | null {
  const id =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).request_id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function errorEnvelope(
  requestId: string | number | null,
  code: string,
  message: string,
): Record<string, unknown> {
  return {
    protocol: PROTOCOL,
    schema_version: SCHEMA_VERSION,
    request_id: requestId,
    status: 'error',
    error: message,
    error_code: code,
  };
}

/**
 * `POST /v1/dispatch`: one protocol envelope in, one response envelope out, HTTP 200, also for
 * a body that is not JSON (an `ERR_BAD_REQUEST` envelope) and for a token acting on a store
 * outside its globs (`ERR_FORBIDDEN`). Only auth, rate and body-size failures are HTTP errors.
 */
export function dispatchRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  const parseFailure = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (
      error instanceof HttpError ||
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
      error.statusCode === 429
    ) {
      throw error;
    }
    request.log.debug({ err: error.code }, 'dispatch body rejected');
    void reply
      .code(200)
      .send(errorEnvelope(null, 'ERR_BAD_REQUEST', 'the request body must be one JSON envelope'));
  };

  app.post('/v1/dispatch', { errorHandler: parseFailure }, async (request) => {
    const body = request.body;
    const need = needOf(body, store);
    if (need) {
      const principal = context.principalOf(request);
      const denied =
        need.access === 'admin'
          ? !principal.may('admin', '*')
          : need.stores.some((s) => !principal.may(need.access, s));
      if (denied) {
        return errorEnvelope(
          requestIdOf(body),
          'ERR_FORBIDDEN',
          `token "${principal.name}" may not ${need.access === 'admin' ? 'run this op (admin only)' : `${need.access} a store this op touches`}`,
        );
      }
    }
    const before = store.lastSeq();
    const response = await dispatch(store, body, {
      onInternalError: (error, op) => request.log.error({ err: error, op }, 'dispatch failed'),
    });
    const op = (body as { op?: unknown }).op;
    const written = store.lastSeq() - before;
    if (written > 0 || (typeof op === 'string' && WRITING_OPS.has(op))) {
      if (written > 0) context.metrics.wrote(written);
      await context.commit.durable();
    }
    return response;
  });
}
