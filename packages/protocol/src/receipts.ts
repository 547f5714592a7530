import type { Fact, JsonObject } from '@igniter/core';
import { capEcho, capMessage, capStrings } from './echo-cap.js';
import { toWireDetails } from './wire-form.js';
import type { Receipt, ReceiptStatus } from './wire-types.js';

/** The optional parts of a receipt; absent ones stay absent (never null). */
export interface ReceiptFields {
  name?: string | undefined;
  store?: string | undefined;
  key?: string | undefined;
  fact?: Fact | undefined;
  warnings?: string[];
  errors?: string[];
  errorCode?: string | undefined;
  errorDetails?: JsonObject | undefined;
}

/** Builds a receipt with every field present that has a value. */
export function receipt(kind: Receipt['kind'], status: ReceiptStatus, fields: ReceiptFields = {}): Receipt {
  const out: Receipt = {
    schema_version: 1,
    kind,
    status,
    warnings: fields.warnings ?? [],
    errors: fields.errors ?? [],
    derived: [],
  };
  if (fields.name !== undefined) out.name = fields.name;
  if (fields.store !== undefined) out.store = fields.store;
  if (fields.key !== undefined) out.key = fields.key;
  if (fields.fact) {
    out.fact_id = fields.fact.id;
    out.value_hash = fields.fact.valueHash;
    out.seq = fields.fact.seq;
  }
  if (fields.errorCode !== undefined) out.error_code = fields.errorCode;
  if (fields.errorDetails !== undefined) out.error_details = fields.errorDetails;
  return status === 'accepted' || status === 'unchanged' ? out : capRejection(out);
}

/** A refused receipt with the caller-supplied fields it echoes capped at 256 characters. */
function capRejection(out: Receipt): Receipt {
  const echoed = [out.name, out.store, out.key];
  if (out.name !== undefined) out.name = capEcho(out.name);
  if (out.store !== undefined) out.store = capEcho(out.store);
  if (out.key !== undefined) out.key = capEcho(out.key);
  out.errors = out.errors.map((message) => capMessage(message, echoed));
  out.warnings = out.warnings.map((message) => capMessage(message, echoed));
  if (out.error_details !== undefined) out.error_details = capStrings(out.error_details);
  return out;
}

/** The code, message and details of an `IgniterError` (recognised by shape, so any copy of core counts). */
export interface CodedError {
  code: string;
  message: string;
  details: unknown;
}

/**
 * The coded form of an error thrown on purpose by Igniter, or undefined for anything else (a
 * bug). Recognised by its name and an `ERR_*` code rather than `instanceof`: the ESM and CJS
 * builds of core each have their own `IgniterError` class.
 */
export function codedError(error: unknown): CodedError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  if (error.name !== 'IgniterError' || typeof code !== 'string' || !/^ERR_[A-Z0-9_]+$/.test(code)) {
    return undefined;
  }
  return { code, message: error.message, details };
}

/** Codes answered with a receipt rather than an error (the request was understood; the store said no). */
export const RECEIPT_CODES: ReadonlySet<string> = new Set([
  'ERR_CONFLICT',
  'ERR_INVALID_VALUE',
  'ERR_VALUE_TOO_LARGE',
  'ERR_RESERVED_NAME',
  'ERR_INVALID_ARGUMENT',
]);

/**
 * The receipt for a write the store refused: `conflict` for `ERR_CONFLICT`, `rejected` for the
 * other value and name errors. Any other error (closed store, I/O) is rethrown.
 */
export function refusedWrite(
  error: unknown,
  kind: 'receipt' | 'append_receipt',
  store: string,
  key?: string,
): Receipt {
  const coded = codedError(error);
  if (!coded || !RECEIPT_CODES.has(coded.code)) throw error;
  return receipt(kind, coded.code === 'ERR_CONFLICT' ? 'conflict' : 'rejected', {
    store,
    key,
    errors: [coded.message],
    errorCode: coded.code,
    errorDetails: toWireDetails(coded.details),
  });
}
