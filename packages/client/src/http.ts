import { IgniterError, type IgniterErrorCode } from '@igniter/core/errors';

/** The `fetch` the client calls: the platform's, or one the caller passes (a proxy, a test double). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Where and how the client talks to its server. */
export interface Connection {
  /** The server's base URL, ending in '/'. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly fetch: FetchFunction;
  readonly timeoutMs: number;
}

/** One HTTP call of a client method. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Path under the base URL, segments already encoded (`v1/stores/a/keys`). */
  path: string;
  /** Query parameters; undefined ones are left out. */
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Read the answer as text (metrics) instead of JSON. */
  text?: boolean;
  /** Abandons the call (it then fails with `ERR_NETWORK`). */
  signal?: AbortSignal;
  /**
   * The call may be sent again (default: GET calls): when its connection fails before an
   * answer, it is sent again, up to three sends in all. A pooled keep-alive connection that a restarted server closed
   * fails exactly so. Reads, and writes carrying an idempotency key, are repeatable.
   */
  repeatable?: boolean;
}

/** The URL of a call: base + path + the defined query parameters. */
export function urlOf(connection: Connection, path: string, query: HttpCall['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return `${connection.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
}

/** The headers every call sends: the bearer token when there is one. */
export function authHeaders(connection: Connection): Record<string, string> {
  return connection.token === undefined ? {} : { authorization: `Bearer ${connection.token}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The error an answer that is not 2xx stands for: the server's `{ error, error_code, details? }`
 * as an `IgniterError` with the same code, message and details. An answer without that body did
 * not come from an Igniter server (a proxy's 502, a wrong base path): `ERR_NETWORK` with the status.
 */
export function errorOf(status: number, text: string, url: string): IgniterError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isRecord(body) && typeof body.error_code === 'string' && body.error_code.startsWith('ERR_')) {
    const message = typeof body.error === 'string' ? body.error : body.error_code;
    // A newer server may answer a code this client does not list; it is passed on as it came.
    const code = body.error_code as IgniterErrorCode;
    return new IgniterError(code, message, isRecord(body.details) ? { details: body.details } : {});
  }
  return new IgniterError('ERR_NETWORK', `${url} answered HTTP ${status} without an Igniter error body`, {
    details: { status },
  });
}

/**
 * Calls `fetch` with the connection's timeout over the whole exchange (answer and body), and maps
 * failures: the server unreachable or the connection cut is `ERR_NETWORK` (the platform's error
 * as `cause`), no complete answer within `timeoutMs` is `ERR_TIMEOUT`. Returns the status and
 * the body text.
 */
async function exchange(
  connection: Connection,
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
): Promise<{ status: number; text: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, connection.timeoutMs);
  const abandon = (): void => controller.abort();
  signal?.addEventListener('abort', abandon);
  if (signal?.aborted) controller.abort();
  try {
    const response = await connection.fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    return { status: response.status, text };
  } catch (error) {
    if (timedOut) {
      throw new IgniterError(
        'ERR_TIMEOUT',
        `${init.method} ${url} took longer than ${connection.timeoutMs} ms`,
        {
          details: { timeoutMs: connection.timeoutMs },
          cause: error,
        },
      );
    }
    throw new IgniterError('ERR_NETWORK', `${init.method} ${url} failed: the server could not be reached`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abandon);
  }
}

/** Sends of a repeatable call whose connection fails before an answer, at most. */
const SENDS = 3;

/**
 * `exchange`, sent again (up to {@link SENDS} times) while a repeatable call's connection fails
 * before any answer: each send may meet another pooled connection the server already closed.
 */
async function exchangeRepeating(
  connection: Connection,
  url: string,
  init: RequestInit,
  call: HttpCall,
): Promise<{ status: number; text: string }> {
  const repeatable = call.repeatable ?? call.method === 'GET';
  for (let send = 1; ; send += 1) {
    try {
      return await exchange(connection, url, init, call.signal);
    } catch (error) {
      const cut = error instanceof IgniterError && error.code === 'ERR_NETWORK' && !call.signal?.aborted;
      if (!cut || !repeatable || send >= SENDS) throw error;
    }
  }
}

/**
 * Makes one call and returns its parsed answer (JSON, or text with `call.text`). Throws the
 * server's error as an `IgniterError` with its code and details, `ERR_NETWORK` (unreachable, or
 * an answer that is not Igniter's) or `ERR_TIMEOUT`. Cost: one HTTP round trip (two when a
 * `repeatable` call's connection failed: up to three).
 */
export async function request(connection: Connection, call: HttpCall): Promise<unknown> {
  const url = urlOf(connection, call.path, call.query);
  const headers: Record<string, string> = {
    accept: call.text ? 'text/plain' : 'application/json',
    ...authHeaders(connection),
    ...call.headers,
  };
  const init: RequestInit = { method: call.method, headers };
  if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(call.body);
  }
  const { status, text } = await exchangeRepeating(connection, url, init, call);
  if (status < 200 || status > 299) throw errorOf(status, text, url);
  if (call.text) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IgniterError('ERR_NETWORK', `${url} answered HTTP ${status} with a body that is not JSON`, {
      details: { status },
      cause: error,
    });
  }
}

/** `request`, with a 404 `ERR_NOT_FOUND` answered as `undefined` ("not found" is a value). */
export async function requestOrMissing(connection: Connection, call: HttpCall): Promise<unknown> {
  try {
    return await request(connection, call);
  } catch (error) {
    if (error instanceof IgniterError && error.code === 'ERR_NOT_FOUND') return undefined;
    throw error;
  }
}
