import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IgniterServer, type ServerOptions } from '../../src/index.js';

/** A temp directory removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-server-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real server on a free loopback port. */
export interface Running {
  server: IgniterServer;
  url: string;
  close(): Promise<void>;
}

/** Starts `createServer(options)` on port 0 and returns its URL. */
export async function start(options: Omit<ServerOptions, 'port'>): Promise<Running> {
  const server = createServer({ ...options, port: 0 });
  const { url } = await server.listen();
  return { server, url, close: () => server.close() };
}

/** An HTTP answer read whole: status, headers and the body parsed as JSON (text when it is not JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** The body of an answer as a record (tests assert on fields). */
export function json(answer: Answer): Record<string, unknown> {
  return answer.body as Record<string, unknown>;
}

/** `fetch` with a JSON body (a string is sent as it is) and an optional bearer token. */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Metrics and SSE answers are text.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The URL of a key, each name percent-encoded. */
export function keyUrl(base: string, store: string, key: string, suffix = ''): string {
  return `${base}/v1/stores/${encodeURIComponent(store)}/keys/${encodeURIComponent(key)}${suffix}`;
}
