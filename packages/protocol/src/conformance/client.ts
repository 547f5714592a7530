import assert from 'node:assert/strict';
import type { JsonObject } from '@igniter/core';
import type { ErrorResponse, OkResponse } from '../envelope.js';
import type {
  CausationChainResult,
  CompactionActivityResult,
  Description,
  DescriptorSnapshot,
  FactRefResult,
  ItemsResult,
  KeysResult,
  LineageResult,
  MetadataSnapshot,
  ObservabilitySnapshot,
  QueryResult,
  ReadFactResult,
  ReadResult,
  RebuildResultPacket,
  Receipt,
  ReplayResult,
  RuleStatusPacket,
  RuleStatusResult,
  SegmentManifestPacket,
  StorageStatsPacket,
  StoresResult,
  SyncHubProfile,
} from '../wire-types.js';

/** Sends one request envelope over any transport and resolves with the response envelope. */
export type DispatchFunction = (request: unknown) => Promise<unknown>;

/** The result type of each op, for typed checks. */
export interface OpResults {
  describe: Description;
  register_descriptor: Receipt;
  write: Receipt;
  write_fact: Receipt;
  append: Receipt;
  read: ReadResult;
  read_fact: ReadFactResult;
  keys: KeysResult;
  stores: StoresResult;
  query: QueryResult;
  resolve: ItemsResult;
  replay: ReplayResult;
  sync_hub_profile: SyncHubProfile;
  causation_chain: CausationChainResult;
  lineage: LineageResult;
  fact_ref: FactRefResult;
  metadata_snapshot: MetadataSnapshot;
  descriptor_snapshot: DescriptorSnapshot;
  observability_snapshot: ObservabilitySnapshot;
  compaction_activity: CompactionActivityResult;
  storage_stats: StorageStatsPacket | null;
  segment_manifest: SegmentManifestPacket | null;
  rule_status: RuleStatusResult;
  rebuild: RebuildResultPacket;
  resume_rule: RuleStatusPacket;
}

let requestCounter = 0;

/** A thin typed client over a dispatch function, asserting the envelope on every answer. */
export class WireClient {
  readonly #dispatch: DispatchFunction;

  constructor(dispatch: DispatchFunction) {
    this.#dispatch = dispatch;
  }

  /** Sends a raw request and asserts the response is an envelope echoing `request_id`. */
  async send(request: unknown): Promise<OkResponse | ErrorResponse> {
    const response = (await this.#dispatch(request)) as OkResponse | ErrorResponse;
    assert.equal(typeof response, 'object');
    assert.equal(response.protocol, 'igniter_store');
    assert.equal(response.schema_version, 1);
    assert.ok(
      response.status === 'ok' || response.status === 'error',
      `bad status ${String(response.status)}`,
    );
    return response;
  }

  /** Sends `op` with `packet` and returns its result; fails unless the response is `ok`. */
  async ok<K extends keyof OpResults>(op: K, packet?: JsonObject | null): Promise<OpResults[K]> {
    const requestId = `conformance-${++requestCounter}`;
    const response = await this.send({
      protocol: 'igniter_store',
      schema_version: 1,
      request_id: requestId,
      op,
      packet,
    });
    assert.equal(response.request_id, requestId);
    if (response.status !== 'ok') {
      assert.fail(`${op} answered ${response.error_code}: ${response.error}`);
    }
    return response.result as OpResults[K];
  }

  /** Sends `op` with `packet` and returns the error response; fails unless it is an error. */
  async error(op: string, packet?: unknown): Promise<ErrorResponse> {
    const response = await this.send({ protocol: 'igniter_store', schema_version: 1, op, packet });
    assert.equal(response.status, 'error', `${op} was expected to fail`);
    return response as ErrorResponse;
  }

  /** Registers a descriptor and returns its receipt. */
  register(descriptor: JsonObject, replace?: boolean): Promise<Receipt> {
    return this.ok('register_descriptor', replace === undefined ? descriptor : { ...descriptor, replace });
  }

  /** Writes a value and returns the receipt, asserting it was accepted. */
  async write(store: string, key: string, value: JsonObject | string | number | null): Promise<Receipt> {
    const receipt = await this.ok('write', { store, key, value });
    assert.equal(receipt.status, 'accepted', receipt.errors.join('; '));
    return receipt;
  }
}

/** Asserts that `message` matches `pattern` (case-insensitive) and carries no stack trace. */
export function assertMessage(message: string, pattern: RegExp): void {
  assert.match(message, pattern);
  assert.doesNotMatch(message, /\n\s+at |Internal error|node_modules/);
}
