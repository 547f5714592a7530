/**
 * Every error code the library throws on purpose. Codes are stable: callers branch on them.
 */
export type IgniterErrorCode =
  | 'ERR_INVALID_VALUE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_VALUE_TOO_LARGE'
  | 'ERR_RULE_FAILED'
  | 'ERR_SUBSCRIBER_OVERFLOW'
  | 'ERR_CORRUPT_FRAME'
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_RESERVED_NAME'
  | 'ERR_NO_PATH'
  | 'ERR_NO_RELATION'
  | 'ERR_CLOSED'
  | 'ERR_LOCKED'
  | 'ERR_CONFLICT'
  | 'ERR_CORRUPT_LOG'
  | 'ERR_UNSUPPORTED_FORMAT'
  | 'ERR_MISSING_PACKAGE'
  | 'ERR_NATIVE_UNAVAILABLE'
  // v1: the protocol, the server and the client (SERVER.md, REPLICATION.md).
  | 'ERR_BAD_REQUEST'
  | 'ERR_UNKNOWN_OP'
  | 'ERR_UNSUPPORTED_PROTOCOL'
  | 'ERR_INTERNAL'
  | 'ERR_NOT_FOUND'
  | 'ERR_READ_ONLY'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_RATE_LIMITED'
  | 'ERR_NETWORK'
  | 'ERR_TIMEOUT';

const CODES: ReadonlySet<string> = new Set<IgniterErrorCode>([
  'ERR_INVALID_VALUE',
  'ERR_INVALID_ARGUMENT',
  'ERR_VALUE_TOO_LARGE',
  'ERR_RULE_FAILED',
  'ERR_SUBSCRIBER_OVERFLOW',
  'ERR_CORRUPT_FRAME',
  'ERR_FRAME_TOO_LARGE',
  'ERR_RESERVED_NAME',
  'ERR_NO_PATH',
  'ERR_NO_RELATION',
  'ERR_CLOSED',
  'ERR_LOCKED',
  'ERR_CONFLICT',
  'ERR_CORRUPT_LOG',
  'ERR_UNSUPPORTED_FORMAT',
  'ERR_MISSING_PACKAGE',
  'ERR_NATIVE_UNAVAILABLE',
  'ERR_BAD_REQUEST',
  'ERR_UNKNOWN_OP',
  'ERR_UNSUPPORTED_PROTOCOL',
  'ERR_INTERNAL',
  'ERR_NOT_FOUND',
  'ERR_READ_ONLY',
  'ERR_UNAUTHORIZED',
  'ERR_FORBIDDEN',
  'ERR_RATE_LIMITED',
  'ERR_NETWORK',
  'ERR_TIMEOUT',
]);

/** Options of an {@link IgniterError}: structured details and the underlying cause. */
export interface IgniterErrorOptions {
  /** Structured context, exposed as `error.details`. */
  details?: Record<string, unknown>;
  /** The underlying error or thrown value, exposed as `error.cause`. */
  cause?: unknown;
}

/**
 * The one error type Igniter throws on purpose. `code` is stable across versions and engines;
 * `details` carries structured context (for example the conflicting seq of `ERR_CONFLICT`).
 */
export class IgniterError extends Error {
  /** The stable error code to branch on. */
  readonly code: IgniterErrorCode;
  /** Structured context, for example the `ERR_CONFLICT` expectation and actual seq. */
  readonly details: Record<string, unknown> | undefined;

  /** Creates an error with a stable `code`, a message and optional `details` and `cause`. */
  constructor(code: IgniterErrorCode, message: string, options: IgniterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IgniterError';
    this.code = code;
    this.details = options.details;
  }
}

/** True when `code` is one of the stable Igniter error codes. */
export function isIgniterErrorCode(code: unknown): code is IgniterErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/**
 * Converts an error raised by the native addon (a plain Error with a string `code`) into an
 * `IgniterError` with the same code, so callers cannot tell which engine ran.
 */
export function fromNativeError(error: unknown): unknown {
  if (error instanceof IgniterError) return error;
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (isIgniterErrorCode(code)) return new IgniterError(code, error.message);
  }
  return error;
}
