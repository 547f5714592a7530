import { IgniterError } from '@igniter/core/errors';
import type { Connection, FetchFunction } from './http.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** The server's URL, e.g. `http://127.0.0.1:7300` (a path prefix is kept: `https://host/igniter`). */
  url: string;
  /** A bearer token, when the server has tokens. */
  token?: string;
  /** The `fetch` to call (default: the platform's `globalThis.fetch`). */
  fetch?: FetchFunction;
  /** Longest wait for one call, in ms (default 30_000); past it the call fails with `ERR_TIMEOUT`. */
  timeoutMs?: number;
}

const OPTION_FIELDS = new Set(['url', 'token', 'fetch', 'timeoutMs']);
/** setTimeout's largest delay. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** A token travels in a header: printable ASCII only. */
const HEADER_TEXT = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function invalid(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/** True when `text` can be sent as a header value unchanged (printable ASCII, no edge spaces). */
export function isHeaderText(text: string): boolean {
  return HEADER_TEXT.test(text);
}

/** Checks `createClient`'s options and fills in defaults. Throws `ERR_INVALID_ARGUMENT`. */
export function connectionOf(options: ClientOptions): Connection {
  if (typeof options !== 'object' || options === null) throw invalid('createClient needs an options object');
  for (const field of Object.keys(options)) {
    if (!OPTION_FIELDS.has(field)) throw invalid(`createClient: unknown option "${field}"`);
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid(`createClient: url ${JSON.stringify(options.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('createClient: url must be http or https');
  if (url.search !== '' || url.hash !== '') throw invalid('createClient: url must have no query or fragment');
  const { token, timeoutMs = 30_000 } = options;
  if (token !== undefined && (typeof token !== 'string' || !isHeaderText(token))) {
    throw invalid('createClient: token must be a non-empty string of printable ASCII');
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw invalid(`createClient: timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw invalid('createClient: fetch must be a function');
  }
  // Called through globalThis: a browser's fetch throws when called detached from window.
  const fetch = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return { baseUrl: base, token, fetch, timeoutMs };
}
