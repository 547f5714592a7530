import { checkInput, fieldsOf, IgniterStore, type JsonObject } from '@igniter/core';
import { capMessage, capStrings, longStrings } from './echo-cap.js';
import type { ErrorResponse, ProtocolErrorCode, RequestId, Response } from './envelope.js';
import { Interpreter } from './interpreter.js';
import { packetProblem } from './packet-spec.js';
import { codedError } from './receipts.js';
import { type OpName, SPECS } from './specs.js';
import { toWireDetails } from './wire-form.js';
import { PROTOCOL, SCHEMA_VERSION } from './wire-types.js';

/** Options of `dispatch`. */
export interface DispatchOptions {
  /**
   * Called with the real error when a request fails with `ERR_INTERNAL` (a bug), so a server
   * can log it; the response itself never carries it.
   */
  onInternalError?: (error: unknown, op: string | null) => void;
}

const OPTION_FIELDS = fieldsOf<DispatchOptions>({ onInternalError: true });

/** Longest request id echoed back; a longer one is a bad request. */
const MAX_REQUEST_ID_LENGTH = 256;

/** The interpreter's methods by name: the packet was checked against SPECS before one is called. */
type OpMethods = Record<string, unknown>;

/** The interpreter method behind each op. */
const METHODS: Readonly<Record<OpName, string>> = {
  describe: 'describe',
  register_descriptor: 'register',
  write: 'write',
  write_fact: 'writeFact',
  append: 'append',
  read: 'read',
  read_fact: 'readFact',
  keys: 'keys',
  stores: 'stores',
  query: 'query',
  resolve: 'resolve',
  replay: 'replay',
  sync_hub_profile: 'syncHubProfile',
  causation_chain: 'causationChain',
  lineage: 'lineage',
  fact_ref: 'factRef',
  metadata_snapshot: 'metadataSnapshot',
  descriptor_snapshot: 'descriptorSnapshot',
  observability_snapshot: 'observabilitySnapshot',
  compaction_activity: 'compactionActivity',
  storage_stats: 'storageStats',
  segment_manifest: 'segmentManifest',
  rule_status: 'ruleStatus',
  rebuild: 'rebuild',
  resume_rule: 'resumeRule',
};

function run(methods: OpMethods, op: OpName, packet: JsonObject): unknown {
  const method = methods[METHODS[op]];
  if (typeof method !== 'function') throw new Error(`the interpreter has no method ${METHODS[op]}`);
  if (op !== 'register_descriptor') return method.call(methods, packet);
  const { replace, ...descriptor } = packet;
  return method.call(methods, descriptor, { replace: replace === true });
}

/** One interpreter per store for `dispatch(store, ...)`; descriptors live in the store, so all agree. */
const interpreters = new WeakMap<object, Interpreter>();

class RequestError extends Error {
  constructor(
    readonly code: ProtocolErrorCode | 'ERR_INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The interpreter to run a request on: the target itself, or the store's (created once). */
function interpreterOf(target: unknown): OpMethods {
  if (target instanceof Interpreter) return target as unknown as OpMethods;
  if (target instanceof IgniterStore) {
    let interpreter = interpreters.get(target);
    if (!interpreter) {
      interpreter = new Interpreter(target);
      interpreters.set(target, interpreter);
    }
    return interpreter as unknown as OpMethods;
  }
  throw new RequestError('ERR_INVALID_ARGUMENT', 'dispatch target must be an IgniterStore or an Interpreter');
}

function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

function requestIdOf(request: Record<string, unknown>): RequestId {
  const id = request.request_id;
  if (id === undefined || id === null) return null;
  if (
    (typeof id === 'string' && id.length <= MAX_REQUEST_ID_LENGTH) ||
    (typeof id === 'number' && Number.isFinite(id))
  ) {
    return id;
  }
  throw new RequestError(
    'ERR_BAD_REQUEST',
    `request_id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters, a number or null`,
  );
}

/** Checks the envelope; returns the op and its packet (`{}` when absent or null). */
function openEnvelope(request: Record<string, unknown>): { op: OpName; packet: JsonObject } {
  if (request.protocol !== PROTOCOL) {
    throw new RequestError(
      'ERR_UNSUPPORTED_PROTOCOL',
      `unsupported protocol: ${quoted(request.protocol ?? null)}`,
    );
  }
  if (request.schema_version !== SCHEMA_VERSION) {
    throw new RequestError(
      'ERR_UNSUPPORTED_PROTOCOL',
      `unsupported schema_version: ${quoted(request.schema_version ?? null)} (supported: ${SCHEMA_VERSION})`,
    );
  }
  const op = request.op;
  if (op === undefined || op === null) throw new RequestError('ERR_UNKNOWN_OP', 'missing op');
  if (typeof op !== 'string') throw new RequestError('ERR_BAD_REQUEST', 'op must be a string');
  if (!Object.hasOwn(SPECS, op)) throw new RequestError('ERR_UNKNOWN_OP', `unknown op: ${quoted(op)}`);
  const packet = request.packet ?? {};
  if (!isRecord(packet)) throw new RequestError('ERR_BAD_REQUEST', 'packet must be an object');
  const name = op as OpName;
  const problem = packetProblem(SPECS[name], packet);
  if (problem) throw new RequestError('ERR_BAD_REQUEST', `${name}: ${problem.message}`);
  return { op: name, packet: packet as JsonObject };
}

/** An error response; caller-supplied text it echoes (long strings of `request`) is capped. */
function failure(
  request: unknown,
  requestId: RequestId,
  code: string,
  message: string,
  details?: JsonObject,
): ErrorResponse {
  const response: ErrorResponse = {
    protocol: PROTOCOL,
    schema_version: SCHEMA_VERSION,
    request_id: requestId,
    status: 'error',
    error: capMessage(message, longStrings(request)),
    error_code: code,
  };
  if (details) response.error_details = capStrings(details);
  return response;
}

/**
 * Runs one request envelope against a store or an interpreter and answers with a response
 * envelope; it never throws or rejects. `request_id` is echoed (null when absent). Failures
 * are coded: `ERR_UNSUPPORTED_PROTOCOL` (wrong protocol or schema_version), `ERR_UNKNOWN_OP`
 * (missing or unknown op), `ERR_BAD_REQUEST` (malformed envelope or packet: not an object,
 * missing field, wrong type, a field the op does not know), the operation's `IgniterError` code
 * (for example `ERR_INVALID_ARGUMENT` for a limit over the maximum or an unknown field of
 * `options`, `ERR_NO_RELATION`, `ERR_CLOSED`), or `ERR_INTERNAL` for a bug, whose message never
 * carries internals. Refused
 * writes and registrations are `ok` responses with a receipt whose `status` says so.
 * Cost: the operation's.
 */
export async function dispatch(
  target: IgniterStore | Interpreter,
  request: unknown,
  options: DispatchOptions = {},
): Promise<Response> {
  let requestId: RequestId = null;
  let opName: string | null = null;
  try {
    if (!isRecord(request)) throw new RequestError('ERR_BAD_REQUEST', 'the request must be a JSON object');
    requestId = requestIdOf(request);
    checkInput(options, 'dispatch options', OPTION_FIELDS);
    const { op, packet } = openEnvelope(request);
    opName = op;
    // `rebuild` answers a promise; every other op answers at once.
    const result = (await run(interpreterOf(target), op, packet)) ?? null;
    return {
      protocol: PROTOCOL,
      schema_version: SCHEMA_VERSION,
      request_id: requestId,
      status: 'ok',
      result,
    };
  } catch (error) {
    if (error instanceof RequestError) return failure(request, requestId, error.code, error.message);
    const coded = codedError(error);
    if (coded) return failure(request, requestId, coded.code, coded.message, toWireDetails(coded.details));
    try {
      // options may be anything when its check failed: only a function is called.
      const report: unknown = (options as DispatchOptions | null)?.onInternalError;
      if (typeof report === 'function') report(error, opName);
    } catch {
      // A failing logger must not turn a coded response into an exception.
    }
    return failure(request, requestId, 'ERR_INTERNAL', 'internal error');
  }
}
