/**
 * The error codes a response can carry (SERVER.md): the library's codes plus those only the
 * server produces. Each maps to one HTTP status in {@link statusOf}.
 */
export type ServerErrorCode =
  | 'ERR_INVALID_VALUE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_BAD_REQUEST'
  | 'ERR_RESERVED_NAME'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_VALUE_TOO_LARGE'
  | 'ERR_RATE_LIMITED'
  | 'ERR_READ_ONLY'
  | 'ERR_CLOSED'
  | 'ERR_INTERNAL';

/** The JSON body of every error response. `details` is present for conflicts and some 400s. */
export interface ErrorBody {
  error: string;
  error_code: string;
  details?: Record<string, unknown>;
}

/** HTTP status of each code; a library code not listed here is a client error (400). */
const STATUS: Readonly<Record<string, number>> = {
  ERR_UNAUTHORIZED: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_NO_PATH: 404,
  ERR_NO_RELATION: 404,
  ERR_CONFLICT: 409,
  ERR_VALUE_TOO_LARGE: 413,
  ERR_RATE_LIMITED: 429,
  ERR_READ_ONLY: 503,
  ERR_CLOSED: 503,
  ERR_LOCKED: 503,
  ERR_INTERNAL: 500,
  ERR_CORRUPT_LOG: 500,
  ERR_CORRUPT_FRAME: 500,
  ERR_UNSUPPORTED_FORMAT: 500,
  ERR_MISSING_PACKAGE: 500,
  ERR_NATIVE_UNAVAILABLE: 500,
};

/** The HTTP status of an error code: 400 unless the code means something else (SERVER.md). */
export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
}

/**
 * An error the server answers on purpose, with a stable code. Thrown by route handlers and
 * hooks; the error handler turns it into `{ error, error_code, details? }` with the code's
 * status.
 */
export class HttpError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(
    code: ServerErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = statusOf(code);
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** `ERR_INVALID_ARGUMENT`: a bad query parameter, header or body field. */
export function badArgument(message: string, details?: Record<string, unknown>): HttpError {
  return new HttpError('ERR_INVALID_ARGUMENT', message, details ? { details } : {});
}

/** `ERR_NOT_FOUND`. */
export function notFound(message: string): HttpError {
  return new HttpError('ERR_NOT_FOUND', message);
}
