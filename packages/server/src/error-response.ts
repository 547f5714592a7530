import { homedir, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type ErrorBody, HttpError, statusOf } from './http-error.js';

/** Longest error message answered: messages may quote caller input. */
const MAX_MESSAGE = 512;

/** What an error becomes on the wire: a status, a body and extra headers. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error was not expected (a bug): the server logs it. */
  internal: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Removes server paths from a message: every occurrence of a known root (the data directory,
 * the working directory, the home and temp directories) and what follows it up to a space or a
 * quote becomes `<path>`. Errors of the store may name its files; a response must not.
 */
export class PathScrubber {
  readonly #roots: string[];

  constructor(dataPath: string | undefined) {
    const roots = [process.cwd(), homedir(), tmpdir(), '/tmp', '/var', '/home', '/root', '/srv', '/data'];
    if (dataPath) roots.push(dirname(resolve(dataPath)), resolve(dataPath));
    // Longest first, so that a path under two roots is replaced whole.
    this.#roots = [...new Set(roots.filter((root) => root.length > 1))].sort((a, b) => b.length - a.length);
  }

  scrub(message: string): string {
    let out = message;
    for (const root of this.#roots) {
      if (!out.includes(root)) continue;
      const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(new RegExp(`${escaped}[^\\s'"\`),]*`, 'g'), '<path>');
    }
    return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}...` : out;
  }
}

/** A JSON-safe copy of error details (no functions, no cycles, no causes). */
function plainDetails(details: unknown): Record<string, unknown> | undefined {
  if (!isRecord(details)) return undefined;
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** An Igniter library error, also one thrown by another copy of `@igniter/core` (ESM and CJS). */
function libraryError(error: unknown): { code: string; message: string; details: unknown } | undefined {
  if (!(error instanceof Error) || error.name !== 'IgniterError') return undefined;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_')) return undefined;
  return { code, message: error.message, details: (error as Error & { details?: unknown }).details };
}

/** A validation failure of Fastify's schema check, as one readable sentence. */
function validationMessage(error: Record<string, unknown>): string {
  const items = Array.isArray(error.validation) ? (error.validation as unknown[]) : [];
  const first = items[0];
  const where = typeof error.validationContext === 'string' ? error.validationContext : 'request';
  const part = where === 'querystring' ? 'query' : where;
  if (!isRecord(first)) return `invalid ${part}`;
  const params = isRecord(first.params) ? first.params : {};
  const path = typeof first.instancePath === 'string' ? first.instancePath.replace(/^\//, '') : '';
  if (first.keyword === 'additionalProperties') {
    return `unknown ${part} field "${String(params.additionalProperty)}"`;
  }
  if (first.keyword === 'required') return `${part} is missing "${String(params.missingProperty)}"`;
  const field = path === '' ? part : `${part} field "${path.replace(/\//g, '.')}"`;
  return `${field} ${String(first.message ?? 'is invalid')}`;
}

/** Fastify's own errors (bad JSON, body too large, wrong media type, bad URL), by code. */
function frameworkError(error: Record<string, unknown>): HttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError('ERR_VALUE_TOO_LARGE', 'the request body is over the server body limit');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError('ERR_BAD_REQUEST', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(
        'ERR_BAD_REQUEST',
        'the request body must be JSON (content-type: application/json)',
      );
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new HttpError('ERR_BAD_REQUEST', 'the request URL is malformed');
    default:
      break;
  }
  // The JSON parser's syntax errors carry a 400 status and no FST code.
  if (error instanceof SyntaxError || (error.statusCode === 400 && error.name === 'SyntaxError')) {
    return new HttpError('ERR_BAD_REQUEST', 'the request body is not valid JSON');
  }
  return undefined;
}

/**
 * Maps anything a handler or hook threw to the response: an `HttpError` as it is, a library
 * `IgniterError` by its code (SERVER.md's status table), a schema failure as
 * `ERR_INVALID_ARGUMENT`, Fastify's parser errors as `ERR_BAD_REQUEST` / `ERR_VALUE_TOO_LARGE`,
 * and anything else as `ERR_INTERNAL` with a fixed message. Messages are scrubbed of server
 * paths; no stack is ever included. Never throws.
 */
export function errorReply(error: unknown, scrubber: PathScrubber): ErrorReply {
  if (error instanceof HttpError) {
    const body: ErrorBody = { error: scrubber.scrub(error.message), error_code: error.code };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: error.headers, internal: false };
  }
  const library = libraryError(error);
  if (library) {
    const body: ErrorBody = { error: scrubber.scrub(library.message), error_code: library.code };
    const details = plainDetails(library.details);
    if (details) body.details = details;
    return { status: statusOf(library.code), body, headers: {}, internal: statusOf(library.code) === 500 };
  }
  if (isRecord(error)) {
    if (Array.isArray(error.validation)) {
      const message = scrubber.scrub(validationMessage(error));
      return {
        status: 400,
        body: { error: message, error_code: 'ERR_INVALID_ARGUMENT' },
        headers: {},
        internal: false,
      };
    }
    const framework = frameworkError(error);
    if (framework) return errorReply(framework, scrubber);
  }
  return {
    status: 500,
    body: { error: 'internal error', error_code: 'ERR_INTERNAL' },
    headers: {},
    internal: true,
  };
}
