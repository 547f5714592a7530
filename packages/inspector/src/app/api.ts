// The server's REST routes (SERVER.md), called with the bearer token the person gave, if any.

const TOKEN_KEY = 'igniter.inspector.token';

/** An error answer of the server: HTTP status and its `error_code`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

type Listener = () => void;
const listeners = new Set<Listener>();
let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let tokenNeeded = false;

/** The token in use (kept for this browser tab only), or null. */
export function currentToken(): string | null {
  return token;
}

/** True once the server refused a call for want of a (valid) token. */
export function needsToken(): boolean {
  return tokenNeeded;
}

/** Uses `value` for every later call and lets the views load again. */
export function setToken(value: string): void {
  token = value;
  tokenNeeded = false;
  sessionStorage.setItem(TOKEN_KEY, value);
  for (const listener of listeners) listener();
}

/** Calls `listener` when the token changes or turns out to be needed. */
export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function authHeaders(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `GET` or `POST` a `/v1` route; the JSON answer, or an {@link ApiError}. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { headers: authHeaders() }
      : {
          method: 'POST',
          headers: { ...authHeaders(), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        };
  const response = await fetch(`v1${path}`, init);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const answer = (parsed ?? {}) as { error?: string; error_code?: string };
    const error = new ApiError(
      response.status,
      answer.error_code ?? `HTTP_${response.status}`,
      answer.error ?? (text.slice(0, 200) || response.statusText),
    );
    if (response.status === 401 && !tokenNeeded) {
      tokenNeeded = true;
      for (const listener of listeners) listener();
    }
    throw error;
  }
  return parsed as T;
}

/** One protocol op through `POST /v1/dispatch`: its result, or an {@link ApiError} with its code. */
export async function dispatch<T>(op: string, packet: Record<string, unknown>): Promise<T> {
  const answer = await api<{ status: string; result?: T; error?: string; error_code?: string }>('/dispatch', {
    protocol: 'igniter_store',
    schema_version: 1,
    op,
    packet,
  });
  if (answer.status !== 'ok') {
    throw new ApiError(200, answer.error_code ?? 'ERR_INTERNAL', answer.error ?? 'the operation failed');
  }
  return answer.result as T;
}

/** The URL of the SSE changefeed (EventSource cannot send headers: the token rides as a parameter). */
export function eventsUrl(params: { after?: number; stores?: string[] }): string {
  const query = new URLSearchParams();
  if (params.after !== undefined) query.set('after', String(params.after));
  if (params.stores && params.stores.length > 0) query.set('stores', params.stores.join(','));
  if (token) query.set('access_token', token);
  const text = query.toString();
  return `v1/events${text ? `?${text}` : ''}`;
}

/** A path segment: any store or key, URL-encoded. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
