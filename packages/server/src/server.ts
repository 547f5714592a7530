import rateLimit from '@fastify/rate-limit';
import type { IgniterStore } from '@igniter/core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { LOOPBACK_PRINCIPAL, type Principal, TokenSet } from './auth/tokens.js';
import { errorReply, PathScrubber } from './error-response.js';
import { ChangefeedStreams } from './events/changefeed-streams.js';
import { FollowerLag } from './follower-lag.js';
import { GroupCommit } from './group-commit.js';
import { HttpError } from './http-error.js';
import { inspectorRoutes } from './inspector-files.js';
import { ServerMetrics } from './metrics.js';
import { isLoopbackHost, type ResolvedOptions, resolveOptions, type ServerOptions } from './options.js';
import { RequestTracker } from './request-tracker.js';
import type { RouteContext } from './route-context.js';
import { adminRoutes } from './routes/admin.js';
import { dispatchRoutes } from './routes/dispatch.js';
import { eventRoutes } from './routes/events.js';
import { historyRoutes } from './routes/histories.js';
import { keyRoutes } from './routes/keys.js';
import { readRoutes } from './routes/reads.js';
import { ruleRoutes } from './routes/rules.js';
import { serviceRoutes } from './routes/service.js';
import { backendNameOf, openServedStore, type ServedStore } from './served-store.js';

/** A running (or ready to run) Igniter server. */
export interface IgniterServer {
  /** The store served. */
  readonly store: IgniterStore;
  /**
   * Binds `host:port` and starts answering. Resolves with the base URL (`http://127.0.0.1:7300`).
   * Rejects with the system error when the port is taken. Cost: one bind.
   */
  listen(): Promise<{ url: string }>;
  /**
   * Drains and stops: new requests get 503 `ERR_CLOSED`, SSE streams end, requests in flight
   * finish, the store is flushed, and a store the server opened (from `path`) is closed; a
   * given store stays open. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/** The request property holding the request's principal (a request decoration). */
const PRINCIPAL = 'igniterPrincipal';

type WithPrincipal = FastifyRequest & { [PRINCIPAL]: Principal | null };

/** The principal the auth hook found for `request`, if any. */
function principalOf(request: FastifyRequest): Principal | null {
  return (request as WithPrincipal)[PRINCIPAL];
}

function setPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as WithPrincipal)[PRINCIPAL] = principal;
}

/** Routes that answer without a token: health, and everything outside `/v1` (the inspector's files). */
function isPublic(url: string): boolean {
  return url === '/v1/health' || !(url === '/v1' || url.startsWith('/v1/'));
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const path = request.url.split('?', 1)[0];
  if (path === '/v1/events') {
    const token = (request.query as Record<string, unknown> | undefined)?.access_token;
    return typeof token === 'string' ? token : undefined;
  }
  return undefined;
}

/** A request as logged: the `access_token` of an SSE URL is a secret and never reaches the log. */
function loggedRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip,
  };
}

function unauthorized(message: string): HttpError {
  return new HttpError('ERR_UNAUTHORIZED', message, { headers: { 'www-authenticate': 'Bearer' } });
}

function baseUrl(host: string, port: number): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${port}`;
}

/**
 * Creates an Igniter server (SERVER.md) over `options.store`, or over a store it opens at
 * `options.path` with a changefeed attached. Nothing listens until `listen()`.
 * Throws `ERR_INVALID_ARGUMENT` for bad options (an unknown one, both or neither of
 * store and path, bad tokens or limits, a non-loopback host without tokens), and what opening
 * the store throws (`ERR_LOCKED`, `ERR_CORRUPT_LOG`, ...). Cost: opening the store, if any.
 *
 * @example
 * const server = createServer({ path: './data/app.log', port: 0 });
 * const { url } = await server.listen();
 * await fetch(`${url}/v1/stores/tasks/keys/t1`, { method: 'PUT', body: JSON.stringify({ value: 1 }),
 *   headers: { 'content-type': 'application/json' } });
 * await server.close();
 */
export function createServer(options: ServerOptions): IgniterServer {
  const resolved = resolveOptions(options);
  const tokens = resolved.tokens ? new TokenSet(resolved.tokens) : undefined;
  const served: ServedStore = resolved.store
    ? { store: resolved.store, backend: backendNameOf(resolved.store), owned: false }
    : openServedStore(resolved.path as string, {
        segmented: resolved.segmented,
        queueLimit: resolved.limits.sseQueueEvents,
      });
  try {
    return new Server(resolved, served, tokens);
  } catch (error) {
    if (served.owned) void served.store.close().catch(() => undefined);
    throw error;
  }
}

class Server implements IgniterServer {
  readonly store: IgniterStore;
  readonly #options: ResolvedOptions;
  readonly #served: ServedStore;
  readonly #app: FastifyInstance;
  readonly #streams: ChangefeedStreams;
  readonly #commit: GroupCommit;
  readonly #followerLag: FollowerLag;
  /** The last Host header found to name a loopback host (a client sends the same one every time). */
  #loopbackHost: string | undefined;
  #draining = false;
  #closing: Promise<void> | undefined;
  readonly #tracker: RequestTracker;

  constructor(options: ResolvedOptions, served: ServedStore, tokens: TokenSet | undefined) {
    this.#options = options;
    this.#served = served;
    this.store = served.store;
    const store = served.store;
    this.#streams = new ChangefeedStreams(options.limits);
    const followerLag = new FollowerLag(store);
    this.#followerLag = followerLag;
    const metrics = new ServerMetrics({
      factCount: () => store.factCount(),
      lastSeq: () => store.lastSeq(),
      sseClients: () => this.#streams.size,
      followerLagMs: () => followerLag.lagMs(),
    });
    this.#commit = new GroupCommit(
      () => store.flush(),
      (requests, seconds) => metrics.flushed(requests, seconds),
    );
    const scrubber = new PathScrubber(served.path);
    const app = Fastify({
      logger: options.log
        ? {
            level: options.log.level ?? 'info',
            ...(options.log.stream ? { stream: options.log.stream } : {}),
            serializers: { req: loggedRequest },
          }
        : false,
      bodyLimit: options.limits.bodyBytes,
      // Any name the library accepts (1024 UTF-8 bytes, percent-encoded: up to 12 characters a code point).
      routerOptions: { maxParamLength: 16_384 },
      ajv: {
        customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
      },
      return503OnClosing: false,
    });
    this.#app = app;

    // A request's principal lives on the request itself (a WeakMap entry per request costs more).
    app.decorateRequest(PRINCIPAL, null);
    const tracker = new RequestTracker(app, metrics);
    this.#tracker = tracker;
    // A callback hook, not an async one: it runs on every request.
    app.addHook('onRequest', (request, reply, done) => {
      tracker.track(request, reply);
      try {
        this.#admit(request, tokens);
        done();
      } catch (error) {
        done(error as Error);
      }
    });

    app.setErrorHandler(async (error, request, reply) => {
      const answer = errorReply(error, scrubber);
      if (answer.internal) request.log.error({ err: error }, 'request failed');
      void reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
    app.setNotFoundHandler(async (request, reply) => {
      void reply.code(404).send({
        error: `no route ${request.method} ${request.url.split('?', 1)[0]?.slice(0, 256)}`,
        error_code: 'ERR_NOT_FOUND',
      });
    });

    const context: RouteContext = {
      served,
      store,
      commit: this.#commit,
      metrics,
      streamStarted: (request) => tracker.streamStarted(request),
      limits: options.limits,
      streams: this.#streams,
      followerLag,
      draining: () => this.#draining,
      principalOf: (request) => {
        const principal = principalOf(request);
        if (!principal) throw unauthorized('a bearer token is required');
        return principal;
      },
    };
    const rate = options.limits.requestsPerSecond;
    void app.register(async (scope) => {
      if (rate !== undefined) {
        await scope.register(rateLimit, {
          global: true,
          max: rate,
          timeWindow: 1000,
          hook: 'preParsing',
          keyGenerator: (request) => principalOf(request)?.name ?? request.ip,
          errorResponseBuilder: (_request, limit) =>
            new HttpError('ERR_RATE_LIMITED', `over ${limit.max} requests per second for this token`, {
              headers: { 'retry-after': String(Math.max(1, Math.ceil(limit.ttl / 1000))) },
            }),
        });
      }
      for (const routes of [
        serviceRoutes,
        keyRoutes,
        historyRoutes,
        readRoutes,
        adminRoutes,
        ruleRoutes,
        dispatchRoutes,
        eventRoutes,
      ]) {
        routes(scope, context);
      }
    });
    if (options.inspector) void app.register(inspectorRoutes);
  }

  /**
   * Lets a request in or throws: 503 while draining (health excepted), 403 for a non-loopback
   * Host without tokens, 401 without a known token (public routes excepted). Records its principal.
   */
  #admit(request: FastifyRequest, tokens: TokenSet | undefined): void {
    if (this.#draining && request.url !== '/v1/health') {
      throw new HttpError('ERR_CLOSED', 'the server is shutting down');
    }
    if (!tokens) {
      // Without tokens only loopback is served: a page elsewhere must not reach it through DNS rebinding.
      const host = request.host;
      if (host !== this.#loopbackHost) {
        if (!isLoopbackHost(request.hostname)) {
          throw new HttpError('ERR_FORBIDDEN', 'this server answers loopback hosts only');
        }
        this.#loopbackHost = host;
      }
      setPrincipal(request, LOOPBACK_PRINCIPAL);
      return;
    }
    if (isPublic(request.url.split('?', 1)[0] ?? '')) return;
    const presented = bearerOf(request);
    if (presented === undefined) throw unauthorized('a bearer token is required');
    const principal = tokens.authenticate(presented);
    if (!principal) throw unauthorized('unknown token');
    setPrincipal(request, principal);
  }

  async listen(): Promise<{ url: string }> {
    const { host, port } = this.#options;
    await this.#app.listen({ host, port });
    const address = this.#app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    return { url: baseUrl(host, bound) };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#draining = true;
    this.#followerLag.close();
    await this.#streams.closeAll();
    const closed = this.#app.close();
    // Once every request is answered, the sockets left are idle or half-opened by a client that
    // never sent a request; Node's close would wait for the client to drop those.
    await this.#tracker.idle();
    this.#app.server.closeAllConnections();
    await closed;
    const store = this.#served.store;
    if (this.#served.owned) {
      await store.close();
    } else {
      await store.flush().catch(() => undefined);
    }
  }
}
