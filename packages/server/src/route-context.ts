import type { IgniterStore } from '@igniter/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './auth/tokens.js';
import type { ChangefeedStreams } from './events/changefeed-streams.js';
import type { FollowerLag } from './follower-lag.js';
import type { GroupCommit } from './group-commit.js';
import type { ServerMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { ServedStore } from './served-store.js';

/** What every route module gets: the served store and the server's shared parts. */
export interface RouteContext {
  readonly served: ServedStore;
  readonly store: IgniterStore;
  readonly commit: GroupCommit;
  readonly metrics: ServerMetrics;
  /** Counts `request` as answered: its response becomes an SSE stream (not timed). */
  streamStarted(request: FastifyRequest): void;
  readonly limits: ResolvedOptions['limits'];
  readonly streams: ChangefeedStreams;
  /** A served follower's lag (null on a writer). */
  readonly followerLag: FollowerLag;
  /** True once `close()` began: new requests get 503 `ERR_CLOSED`, health says `draining`. */
  draining(): boolean;
  /** The principal the auth hook found for the request (everything allowed without tokens). */
  principalOf(request: FastifyRequest): Principal;
}

/** A route module: registers its routes on the app. */
export type RouteModule = (app: import('fastify').FastifyInstance, context: RouteContext) => void;
