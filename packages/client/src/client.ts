import type {
  BackupResult,
  CompactionResult,
  Fact,
  Json,
  Lineage,
  RebuildResult,
  RuleStatus,
  StoreSummary,
  VerifyResult,
} from '@igniter/core';
import { IgniterError } from '@igniter/core/errors';
import { DEFAULT_BACKOFF } from './backoff.js';
import { ChangeStream, type SubscribeOptions } from './change-stream.js';
import { type ClientOptions, connectionOf, isHeaderText } from './client-options.js';
import { type Connection, request, requestOrMissing } from './http.js';
import {
  type ClientAppendInput,
  type ClientHistoryInput,
  type ClientKeysInput,
  type ClientQueryInput,
  type ClientReadInput,
  type ClientWriteInput,
  checkJson,
  fieldsOf,
  msOf,
  type ReplayInput,
  segment,
} from './inputs.js';
import type {
  CheckpointResult,
  DispatchRequest,
  DispatchResponse,
  KeysPage,
  PromoteResult,
  QueryPage,
  ReplayPage,
  ServerHealth,
} from './wire-types.js';

const WRITE_FIELDS = [
  'store',
  'key',
  'value',
  'schemaVersion',
  'causation',
  'validTime',
  'producer',
  'expect',
  'idempotencyKey',
];
const APPEND_FIELDS = ['history', 'event', 'validTime', 'partitionKey', 'producer', 'idempotencyKey'];
const READ_FIELDS = ['store', 'key', 'asOf', 'validAt'];
const HISTORY_FIELDS = ['store', 'key', 'since', 'asOf', 'validAt'];
const QUERY_FIELDS = ['store', 'scope', 'where', 'asOf', 'validAt', 'limit', 'after'];
const KEYS_FIELDS = ['store', 'prefix', 'after', 'limit'];
const REBUILD_FIELDS = ['into'];
const SUBSCRIBE_FIELDS = ['after', 'stores', 'backoff', 'idleTimeoutMs'];
const IDLE_TIMEOUT_MS = 45_000;

function invalid(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/** `{ fact }` of an answer. */
function factOf(answer: unknown): Fact {
  return (answer as { fact: Fact }).fact;
}

/** The path of a key: `v1/stores/<store>/keys/<key>`. */
function keyPath(store: unknown, key: unknown): string {
  return `v1/stores/${segment(store, 'store')}/keys/${segment(key, 'key')}`;
}

/** The conditional and idempotency headers of a write. */
function writeHeaders(
  input: { expect?: unknown; idempotencyKey?: unknown },
  call: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const { expect, idempotencyKey } = input;
  if (expect !== undefined) {
    const wanted = expect as Record<string, unknown> | null;
    if (wanted !== null && typeof wanted === 'object' && Object.keys(wanted).join() === 'seq') {
      headers['if-match'] = `"${String(wanted.seq)}"`;
    } else if (
      wanted !== null &&
      typeof wanted === 'object' &&
      Object.keys(wanted).join() === 'absent' &&
      wanted.absent === true
    ) {
      headers['if-none-match'] = '*';
    } else {
      throw invalid(`${call}: expect must be { seq: number } or { absent: true }`);
    }
  }
  if (idempotencyKey !== undefined) {
    if (typeof idempotencyKey !== 'string' || !isHeaderText(idempotencyKey)) {
      throw invalid(
        `${call}: idempotencyKey must be printable ASCII without edge spaces (it travels in a header)`,
      );
    }
    headers['idempotency-key'] = idempotencyKey;
  }
  return headers;
}

/** The body fields of `input` that are defined. */
function defined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * A client of an Igniter server (`@igniter/server`, `igniter serve`): the store's reads and
 * writes as async calls over its REST routes, the raw protocol (`dispatch`), the admin routes
 * and a changefeed subscription. Made by {@link createClient}. Every call checks its input as the
 * library does (unknown fields, non-JSON values) before anything is sent, and throws
 * `IgniterError`: the server's code, message and `details` (`ERR_CONFLICT`'s `{ store, key,
 * expected, actualSeq }`), `ERR_NETWORK` when the server cannot be reached, `ERR_TIMEOUT` past
 * `timeoutMs`. A read, and a write or append with an `idempotencyKey`, is sent again (up to
 * three sends) when its connection fails before any answer (a keep-alive connection a restarted server closed);
 * other writes never are, since they may have committed before the connection broke. Cost:
 * one HTTP round trip per call.
 */
export class IgniterClient {
  readonly #connection: Connection;

  /** Use {@link createClient}. */
  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** The server's base URL, ending in '/'. */
  get url(): string {
    return this.#connection.baseUrl;
  }

  /** `GET /v1/health`: status, backend, engine, role, fact count, last seq, subscribers. */
  async health(): Promise<ServerHealth> {
    return (await request(this.#connection, { method: 'GET', path: 'v1/health' })) as ServerHealth;
  }

  /** `GET /v1/metrics`: Prometheus text, or OpenMetrics text with `{ openMetrics: true }`. */
  async metrics(options: { openMetrics?: boolean } = {}): Promise<string> {
    const accept = options.openMetrics ? 'application/openmetrics-text; version=1.0.0' : 'text/plain';
    const text = await request(this.#connection, {
      method: 'GET',
      path: 'v1/metrics',
      text: true,
      headers: { accept },
    });
    return text as string;
  }

  /**
   * Writes a value (`PUT /v1/stores/:store/keys/:key`) and resolves once it is durable, with the
   * new fact (or, for an idempotent repeat, the original). `expect` becomes `If-Match` /
   * `If-None-Match: *`, `idempotencyKey` the `Idempotency-Key` header (printable ASCII).
   * Throws as the library's `write` does (`ERR_CONFLICT` with `details`), plus `ERR_FORBIDDEN`
   * for a token without write rights on the store.
   */
  async write(input: ClientWriteInput): Promise<Fact> {
    const { store, key, value, validTime, schemaVersion, producer, causation } = fieldsOf(
      input,
      WRITE_FIELDS,
      'write',
    );
    checkJson(value, 'value');
    if (producer !== undefined && producer !== null) checkJson(producer, 'producer');
    const headers = writeHeaders(input, 'write');
    const body = defined({
      value,
      validTime: msOf(validTime, 'validTime'),
      schemaVersion,
      producer,
      causation,
    });
    return factOf(
      await request(this.#connection, {
        method: 'PUT',
        path: keyPath(store, key),
        body,
        headers,
        repeatable: input.idempotencyKey !== undefined,
      }),
    );
  }

  /**
   * Appends an event to a history store under a fresh key (`POST /v1/histories/:history/events`)
   * and resolves once it is durable, with the new fact. Throws as the library's `append` does.
   */
  async append(input: ClientAppendInput): Promise<Fact> {
    const { history, event, validTime, partitionKey, producer } = fieldsOf(input, APPEND_FIELDS, 'append');
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new IgniterError('ERR_INVALID_VALUE', 'append: event must be a JSON object');
    }
    checkJson(event, 'event');
    if (producer !== undefined && producer !== null) checkJson(producer, 'producer');
    const headers = writeHeaders(input, 'append');
    const body = defined({ event, validTime: msOf(validTime, 'validTime'), partitionKey, producer });
    const path = `v1/histories/${segment(history, 'history')}/events`;
    const repeatable = input.idempotencyKey !== undefined;
    return factOf(await request(this.#connection, { method: 'POST', path, body, headers, repeatable }));
  }

  /** The latest fact of (store, key), as of `asOf` / valid at `validAt`; undefined when absent. */
  async readFact(input: ClientReadInput): Promise<Fact | undefined> {
    const { store, key, asOf, validAt } = fieldsOf(input, READ_FIELDS, 'readFact');
    const query = { asOf: msOf(asOf, 'asOf'), validAt: msOf(validAt, 'validAt') };
    const answer = await requestOrMissing(this.#connection, {
      method: 'GET',
      path: keyPath(store, key),
      query,
    });
    return answer === undefined ? undefined : factOf(answer);
  }

  /** The value `readFact` finds (coerced as the server's store coerces it); undefined when absent. */
  async read(input: ClientReadInput): Promise<Json | undefined> {
    fieldsOf(input, READ_FIELDS, 'read');
    return (await this.readFact(input))?.value;
  }

  /** Every fact of (store, key) in seq order (by effective valid time with `validAt`). */
  async history(input: ClientHistoryInput): Promise<Fact[]> {
    const { store, key, since, asOf, validAt } = fieldsOf(input, HISTORY_FIELDS, 'history');
    const query = {
      since: msOf(since, 'since'),
      asOf: msOf(asOf, 'asOf'),
      validAt: msOf(validAt, 'validAt'),
    };
    const answer = await request(this.#connection, {
      method: 'GET',
      path: `${keyPath(store, key)}/history`,
      query,
    });
    return (answer as { facts: Fact[] }).facts;
  }

  /** The lineage of (store, key): its chain, derivations and proof hash (the library's `lineage`). */
  async lineage(input: { store: string; key: string }): Promise<Lineage> {
    const { store, key } = fieldsOf(input, ['store', 'key'], 'lineage');
    return (await request(this.#connection, {
      method: 'GET',
      path: `${keyPath(store, key)}/lineage`,
    })) as Lineage;
  }

  /**
   * The latest fact of each key whose value matches `where` (or a registered `scope`), in key
   * order, one page at a time: at most `limit` (default 100, max 10_000); pass `next` as `after`
   * for the next page.
   */
  async query(input: ClientQueryInput): Promise<QueryPage> {
    const { store, scope, where, asOf, validAt, limit, after } = fieldsOf(input, QUERY_FIELDS, 'query');
    if (where !== undefined) checkJson(where, 'where');
    const body = defined({
      store,
      scope,
      where,
      asOf: msOf(asOf, 'asOf'),
      validAt: msOf(validAt, 'validAt'),
      limit,
      after,
    });
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/query',
      body,
      repeatable: true,
    })) as QueryPage;
  }

  /** The keys of a store in UTF-16 order, one page (`limit` default 100, max 10_000) at a time. */
  async keys(input: ClientKeysInput): Promise<KeysPage> {
    const { store, prefix, after, limit } = fieldsOf(input, KEYS_FIELDS, 'keys');
    const path = `v1/stores/${segment(store, 'store')}/keys`;
    return (await request(this.#connection, {
      method: 'GET',
      path,
      query: { prefix, after, limit },
    })) as KeysPage;
  }

  /** The user stores the token may read, with their fact and key counts. */
  async stores(): Promise<StoreSummary[]> {
    return (await request(this.#connection, { method: 'GET', path: 'v1/stores' })) as StoreSummary[];
  }

  /** The live fact with this id (raw, uncoerced); undefined for an unknown or pruned id. */
  async factById(id: string): Promise<Fact | undefined> {
    const answer = await requestOrMissing(this.#connection, {
      method: 'GET',
      path: `v1/facts/${segment(id, 'id')}`,
    });
    return answer === undefined ? undefined : factOf(answer);
  }

  /** The facts with seq > `after` (default 0), seq order, one page (`limit` default 1000, max 10_000). */
  async replay(input: ReplayInput = {}): Promise<ReplayPage> {
    const { after, limit } = fieldsOf(input, ['after', 'limit'], 'replay');
    return (await request(this.#connection, {
      method: 'GET',
      path: 'v1/replay',
      query: { after, limit },
    })) as ReplayPage;
  }

  /**
   * Sends one protocol envelope to `POST /v1/dispatch` and returns the response envelope: an
   * error of the protocol is an envelope with `status: 'error'`, not a throw. Throws only what
   * happens before the protocol runs (`ERR_UNAUTHORIZED`, `ERR_VALUE_TOO_LARGE`, network).
   */
  async dispatch(envelope: DispatchRequest): Promise<DispatchResponse> {
    checkJson(envelope, 'envelope');
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/dispatch',
      body: envelope,
    })) as DispatchResponse;
  }

  /** Admin: snapshots the store (reopen then replays only the delta). */
  async checkpoint(): Promise<CheckpointResult> {
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/admin/checkpoint',
      body: {},
    })) as CheckpointResult;
  }

  /** Admin: re-reads every data file and checks it (the library's `verify`; files by base name). */
  async verify(): Promise<VerifyResult> {
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/admin/verify',
      body: {},
    })) as VerifyResult;
  }

  /** Admin: a consistent copy of the store at `dest`, an absolute path on the server's machine. */
  async backup(dest: string): Promise<BackupResult> {
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/admin/backup',
      body: { dest },
    })) as BackupResult;
  }

  /** Admin: runs retention (one store, or every store with a policy); resolves once durable. */
  async compact(store?: string): Promise<CompactionResult[]> {
    const answer = await request(this.#connection, {
      method: 'POST',
      path: 'v1/admin/compact',
      body: store === undefined ? {} : { store },
    });
    return (answer as { results: CompactionResult[] }).results;
  }

  /** Admin: a served follower becomes the writer (503 `ERR_LOCKED` while the writer lives). */
  async promote(): Promise<PromoteResult> {
    return (await request(this.#connection, {
      method: 'POST',
      path: 'v1/admin/promote',
      body: {},
    })) as PromoteResult;
  }

  /** The status of every rule of the served store (`GET /v1/rules`; read access to every store). */
  async ruleStatus(): Promise<RuleStatus[]> {
    const answer = await request(this.#connection, { method: 'GET', path: 'v1/rules' });
    return (answer as { rules: RuleStatus[] }).rules;
  }

  /**
   * Admin: recomputes the rule `name` over its source facts (the library's `rebuild`); resolves
   * once the facts it wrote are durable. `ERR_NOT_FOUND` for a name no rule has.
   */
  async rebuild(name: string, options: { into?: string } = {}): Promise<RebuildResult> {
    const { into } = fieldsOf(options, REBUILD_FIELDS, 'rebuild');
    return (await request(this.#connection, {
      method: 'POST',
      path: `v1/admin/rules/${segment(name, 'name')}/rebuild`,
      body: into === undefined ? {} : { into },
    })) as RebuildResult;
  }

  /** Admin: a stopped rule runs again from the next source fact; answers its status. */
  async resume(name: string): Promise<RuleStatus> {
    const answer = await request(this.#connection, {
      method: 'POST',
      path: `v1/admin/rules/${segment(name, 'name')}/resume`,
      body: {},
    });
    return (answer as { rule: RuleStatus }).rule;
  }

  /**
   * Subscribes to the changefeed (`GET /v1/events`). Iterate it with `for await`; it reconnects
   * on its own and resumes exactly after the last event it delivered, also across a server
   * restart; `close()` ends it. Without `after` it starts at the server's last seq at the time of
   * this call. Throws `ERR_INVALID_ARGUMENT` for bad options (a store name with a comma cannot
   * be sent); the iteration throws what reconnecting cannot cure (see {@link ChangeStream}).
   */
  subscribe(options: SubscribeOptions = {}): ChangeStream {
    const {
      after,
      stores,
      backoff = {},
      idleTimeoutMs = IDLE_TIMEOUT_MS,
    } = fieldsOf(options, SUBSCRIBE_FIELDS, 'subscribe');
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) {
      throw invalid('subscribe: after must be a seq (an integer >= 0)');
    }
    if (stores !== undefined) {
      if (!Array.isArray(stores) || stores.length === 0)
        throw invalid('subscribe: stores must be a non-empty array');
      for (const store of stores) {
        segment(store, 'store');
        if (store.includes(','))
          throw invalid(`subscribe: store "${store}" has a comma, which the stores list cannot carry`);
      }
    }
    const waits = {
      ...DEFAULT_BACKOFF,
      ...fieldsOf(backoff, ['minDelayMs', 'maxDelayMs'], 'subscribe: backoff'),
    };
    for (const ms of [waits.minDelayMs, waits.maxDelayMs, idleTimeoutMs]) {
      if (!Number.isSafeInteger(ms) || ms < 1) throw invalid('subscribe: waits must be integers >= 1 (ms)');
    }
    return new ChangeStream(this.#connection, { after, stores }, waits, idleTimeoutMs);
  }
}

/**
 * Makes a client of the Igniter server at `options.url`. Nothing is sent until the first call.
 * Throws `ERR_INVALID_ARGUMENT` for bad options (unknown option, a URL that is not http(s),
 * a token that cannot travel in a header, `timeoutMs` not an integer >= 1).
 */
export function createClient(options: ClientOptions): IgniterClient {
  return new IgniterClient(connectionOf(options));
}
