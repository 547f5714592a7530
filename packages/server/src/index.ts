/**
 * `@igniter/server`: an Igniter store over HTTP (SERVER.md). REST routes, the protocol
 * dispatch, an SSE changefeed, bearer tokens with per-store globs, OpenMetrics, group commit.
 */
export { type Access, readTokensFile, type TokenSpec } from './auth/tokens.js';
export type { ErrorBody, ServerErrorCode } from './http-error.js';
export type { ServerLimits, ServerLogOptions, ServerOptions } from './options.js';
export type { Health } from './routes/service.js';
export {
  type BackendName,
  type OpenStoreOptions,
  openServedStore,
  type ServedStore,
} from './served-store.js';
export { createServer, type IgniterServer } from './server.js';
