import type { JsonObject } from '@igniter/core';
import type { PROTOCOL } from './wire-types.js';

/** A request id: echoed verbatim in the response, null when absent. */
export type RequestId = string | number | null;

/** One request envelope. `packet` defaults to `{}`. */
export interface Request {
  protocol: typeof PROTOCOL;
  schema_version: 1;
  request_id?: RequestId;
  op: string;
  packet?: JsonObject | null;
}

/** A successful response: `result` is the operation's answer. */
export interface OkResponse {
  protocol: typeof PROTOCOL;
  schema_version: 1;
  request_id: RequestId;
  status: 'ok';
  /** The operation's answer: a JSON value (its type is the method's return type on `Interpreter`). */
  result: unknown;
}

/**
 * A failed request: `error_code` is stable (an `ERR_*` code of `@igniter/core` or one of
 * {@link ProtocolErrorCode}), `error` a message for people that never carries internals, and
 * `error_details` structured context when there is any (for example a conflict's `actual_seq`).
 */
export interface ErrorResponse {
  protocol: typeof PROTOCOL;
  schema_version: 1;
  request_id: RequestId;
  status: 'error';
  error: string;
  error_code: string;
  error_details?: JsonObject;
}

/** What `dispatch` answers: never thrown, always one of these. */
export type Response = OkResponse | ErrorResponse;

/** Codes only the dispatcher produces, besides the codes of `IgniterError`. */
export type ProtocolErrorCode =
  | 'ERR_UNSUPPORTED_PROTOCOL'
  | 'ERR_UNKNOWN_OP'
  | 'ERR_BAD_REQUEST'
  | 'ERR_INTERNAL';
