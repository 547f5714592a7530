import { isIP } from 'node:net';
import { IgniterError, type IgniterStore } from '@igniter/core';
import type { TokenSpec } from './auth/tokens.js';

/** Limits of a server; every one has a default. */
export interface ServerLimits {
  /** Largest request body in bytes (default 1 MiB); a larger one is 413 `ERR_VALUE_TOO_LARGE`. */
  bodyBytes?: number;
  /** Most SSE streams open at once (default 1000); one more is 429 `ERR_RATE_LIMITED`. */
  sseClients?: number;
  /** Requests per second per token (per client address without tokens); unset = no limit. */
  requestsPerSecond?: number;
  /** Longest quiet time of an SSE stream before a comment line is sent, in ms (default 15_000, at most 15_000). */
  sseHeartbeatMs?: number;
  /**
   * Events an SSE client may have queued, unread, before it is told it lagged (default 1000;
   * for a store the server opens; a given store's changefeed has its own `queueLimit`).
   */
  sseQueueEvents?: number;
  /** How long a client that reads nothing may keep a full stream before it is closed, in ms (default 30_000). */
  sseStallMs?: number;
}

/** Where the server writes its structured (pino) logs. */
export interface ServerLogOptions {
  /** pino level (default 'info'). */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Destination stream (default stdout). */
  stream?: NodeJS.WritableStream;
}

/** Options of `createServer`. Give `store` or `path`. */
export interface ServerOptions {
  /** Serve this store; the caller owns it (it stays open after `server.close()`). */
  store?: IgniterStore;
  /** Open a file store here (the log file), or a segmented store (a directory) with `segmented: true`. */
  path?: string;
  /** With `path`: a segmented store. */
  segmented?: boolean;
  /** Interface to bind (default '127.0.0.1'); anything but loopback needs `tokens`. */
  host?: string;
  /** Port (default 7300; 0 = any free port). */
  port?: number;
  /** Bearer tokens; without them only loopback is served. */
  tokens?: TokenSpec[];
  limits?: ServerLimits;
  /** The web inspector at '/' (default true; served once `@igniter/inspector` is installed). */
  inspector?: boolean;
  /** Structured request logs (default: none). `true` = level info to stdout. */
  log?: boolean | ServerLogOptions;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  store: IgniterStore | undefined;
  path: string | undefined;
  segmented: boolean;
  host: string;
  port: number;
  tokens: TokenSpec[] | undefined;
  limits: Required<Omit<ServerLimits, 'requestsPerSecond'>> & { requestsPerSecond: number | undefined };
  inspector: boolean;
  log: ServerLogOptions | undefined;
}

const OPTION_KEYS = new Set([
  'store',
  'path',
  'segmented',
  'host',
  'port',
  'tokens',
  'limits',
  'inspector',
  'log',
]);
const LIMIT_KEYS = new Set([
  'bodyBytes',
  'sseClients',
  'requestsPerSecond',
  'sseHeartbeatMs',
  'sseQueueEvents',
  'sseStallMs',
]);
const MAX_HEARTBEAT_MS = 15_000;

function invalid(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function checkKeys(value: unknown, allowed: ReadonlySet<string>, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw invalid(`${what} has an unknown option "${key}"`);
  }
  return value as Record<string, unknown>;
}

function count(value: unknown, fallback: number, min: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${what} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalBoolean(value: unknown, fallback: boolean, what: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${what} must be a boolean`);
  return value;
}

/** True for an address or name that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

function resolveLog(value: unknown): ServerLogOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { level: 'info' };
  const raw = checkKeys(value, new Set(['level', 'stream']), 'log');
  return raw as ServerLogOptions;
}

/**
 * Checks `createServer`'s options and fills in defaults. Throws `ERR_INVALID_ARGUMENT` for an
 * unknown option, both or neither of `store` and `path`, a bad limit, and a non-loopback
 * `host` without `tokens` (a store open to the network without authentication).
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const raw = checkKeys(options, OPTION_KEYS, 'server options');
  const store = raw.store as IgniterStore | undefined;
  const path = raw.path;
  if ((store === undefined) === (path === undefined)) throw invalid('give exactly one of store and path');
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
    throw invalid('path must be a non-empty string');
  }
  if (
    store !== undefined &&
    (typeof store !== 'object' || store === null || typeof store.write !== 'function')
  ) {
    throw invalid('store must be an IgniterStore');
  }
  const host = raw.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw invalid('host must be a non-empty string');
  const tokens = raw.tokens as TokenSpec[] | undefined;
  if (tokens !== undefined && !Array.isArray(tokens))
    throw invalid('tokens must be an array of token objects');
  if ((tokens === undefined || tokens.length === 0) && !isLoopbackHost(host)) {
    throw invalid(`refusing to serve ${host} without tokens: a non-loopback host needs tokens`);
  }
  const limits = checkKeys(raw.limits ?? {}, LIMIT_KEYS, 'limits');
  return {
    store,
    path: path as string | undefined,
    segmented: optionalBoolean(raw.segmented, false, 'segmented'),
    host,
    port: count(raw.port, 7300, 0, 65_535, 'port'),
    tokens: tokens === undefined || tokens.length === 0 ? undefined : tokens,
    limits: {
      bodyBytes: count(limits.bodyBytes, 1024 * 1024, 1, 2 ** 31 - 1, 'limits.bodyBytes'),
      sseClients: count(limits.sseClients, 1000, 0, 1_000_000, 'limits.sseClients'),
      requestsPerSecond:
        limits.requestsPerSecond === undefined
          ? undefined
          : count(limits.requestsPerSecond, 0, 1, 1_000_000_000, 'limits.requestsPerSecond'),
      sseHeartbeatMs: count(
        limits.sseHeartbeatMs,
        MAX_HEARTBEAT_MS,
        10,
        MAX_HEARTBEAT_MS,
        'limits.sseHeartbeatMs',
      ),
      sseQueueEvents: count(limits.sseQueueEvents, 1000, 1, 1_000_000, 'limits.sseQueueEvents'),
      sseStallMs: count(limits.sseStallMs, 30_000, 10, 3_600_000, 'limits.sseStallMs'),
    },
    inspector: optionalBoolean(raw.inspector, true, 'inspector'),
    log: resolveLog(raw.log),
  };
}
