import { checkInput, fieldsOf, IgniterError, IgniterStore } from '@igniter/core';
import type { OpContext } from './context.js';
import { DescriptorLog } from './descriptors/descriptor-log.js';
import { applyDescriptor } from './descriptors/engine-effects.js';
import { DESCRIPTOR_KINDS, normaliseDescriptor } from './descriptors/normalise.js';
import { LIMITS } from './limits.js';
import { compactionActivity } from './ops/compaction.js';
import { keys, stores } from './ops/listing.js';
import { causationChain, factRef, lineage } from './ops/provenance.js';
import { query, read, readFact } from './ops/reads.js';
import { type RegisterOptions, register } from './ops/register.js';
import { replay } from './ops/replay.js';
import { resolve } from './ops/resolve.js';
import { rebuild, resumeRule, ruleStatus } from './ops/rules.js';
import {
  descriptorSnapshot,
  metadataSnapshot,
  observabilitySnapshot,
  segmentManifest,
  storageStats,
} from './ops/snapshots.js';
import { syncHubProfile } from './ops/sync.js';
import { append, write, writeFact } from './ops/writes.js';
import type {
  RebuildPacket,
  RebuildResultPacket,
  RuleNamePacket,
  RuleStatusPacket,
  RuleStatusResult,
} from './rule-types.js';
import { SPECS } from './specs.js';
import {
  type AppendPacket,
  type CausationChainResult,
  type CompactionActivityPacket,
  type CompactionActivityResult,
  type Description,
  type DescriptorSnapshot,
  type FactInputPacket,
  type FactRefResult,
  type ItemsResult,
  type KeysPacket,
  type KeysResult,
  type LineageResult,
  type MetadataSnapshot,
  type ObservabilitySnapshot,
  PROTOCOL,
  type QueryPacket,
  type QueryResult,
  type ReadFactPacket,
  type ReadFactResult,
  type ReadPacket,
  type ReadResult,
  type Receipt,
  type ReplayPacket,
  type ReplayResult,
  type ResolvePacket,
  type SegmentManifestPacket,
  type StorageStatsPacket,
  type StoreFilterPacket,
  type StoresPacket,
  type StoresResult,
  type SubjectPacket,
  type SyncHubProfile,
  type SyncPacket,
  type WritePacket,
} from './wire-types.js';

/** Options of `new Interpreter(store, options)`. */
export interface InterpreterOptions {
  /** Alert thresholds of `observabilitySnapshot()`. */
  alertThresholds?: {
    /** Storage bytes above which an alert is raised (default 1 GiB). */
    storageByteSize?: number;
  };
}

const DEFAULT_STORAGE_ALERT_BYTES = 1024 ** 3;
const OPTION_FIELDS = fieldsOf<InterpreterOptions>({ alertThresholds: true });
const THRESHOLD_FIELDS = fieldsOf<NonNullable<InterpreterOptions['alertThresholds']>>({
  storageByteSize: true,
});

function checkStore(store: unknown): IgniterStore {
  if (!(store instanceof IgniterStore)) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'Interpreter needs an IgniterStore');
  }
  return store;
}

function checkThreshold(value: unknown): number {
  if (value === undefined) return DEFAULT_STORAGE_ALERT_BYTES;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'alertThresholds.storageByteSize must be a number >= 0');
  }
  return value;
}

/**
 * The Open Protocol over one `IgniterStore`: descriptor registration with receipts, fact IO,
 * queries, replay and snapshots, in wire form (snake_case packets and results). Descriptors live
 * in the store (`__descriptors`), so every interpreter over a store sees the same ones; creating
 * one re-applies the stored access paths, relations and projections to the store (after a
 * reopen, for example). Methods are synchronous and throw `IgniterError` (`rebuild` returns a
 * promise that rejects with one); `dispatch` turns them into wire responses.
 */
export class Interpreter {
  /** The store this interpreter speaks for. */
  readonly store: IgniterStore;
  readonly #ctx: OpContext;

  /**
   * Throws `ERR_INVALID_ARGUMENT` for a bad store or option (an unknown one included) and
   * `ERR_CLOSED` for a closed store.
   * A stored descriptor the engine refuses on restore is reported with `process.emitWarning`.
   * Cost: O(descriptor versions).
   */
  constructor(store: IgniterStore, options: InterpreterOptions = {}) {
    this.store = checkStore(store);
    checkInput(options, 'Interpreter options', OPTION_FIELDS);
    const thresholds = options.alertThresholds ?? {};
    checkInput(thresholds, 'alertThresholds', THRESHOLD_FIELDS);
    const threshold = checkThreshold(thresholds.storageByteSize);
    this.#ctx = {
      store: this.store,
      descriptors: new DescriptorLog(this.store),
      storageByteSizeThreshold: threshold,
      now: () => this.store.now(),
    };
    this.#restore();
  }

  #restore(): void {
    for (const stored of this.#ctx.descriptors.all()) {
      const normalised = normaliseDescriptor(stored);
      if (!normalised.ok) continue;
      try {
        applyDescriptor(this.store, normalised.descriptor);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : String(error), {
          code: 'IGNITER_DESCRIPTOR_RESTORE',
          detail: `${stored.kind} ${JSON.stringify(stored.name)} could not be re-applied to the store`,
        });
      }
    }
  }

  /**
   * Registers a descriptor of one of the nine kinds under its identity `(kind, name)`. Returns
   * `accepted`, `unchanged` (same content), `conflict` (different content, `ERR_CONFLICT`;
   * pass `{ replace: true }` to supersede) or `rejected` (invalid). Throws only `ERR_CLOSED`.
   */
  register(descriptor: unknown, options: RegisterOptions = {}): Receipt {
    return register(this.#ctx, descriptor, options);
  }

  /** Writes a fact; see the operation `write`. Refusals are receipts, malformed packets throw `ERR_INVALID_ARGUMENT`. */
  write(packet: WritePacket): Receipt {
    return write(this.#ctx, packet);
  }

  /** Ingests a fact packet (`kind: 'fact'`); every problem is a `rejected` receipt. */
  writeFact(packet: FactInputPacket): Receipt {
    return writeFact(this.#ctx, packet);
  }

  /** Appends an event to a history; refusals are receipts (`append_receipt`). */
  append(packet: AppendPacket): Receipt {
    return append(this.#ctx, packet);
  }

  /** Reads one value: `{ value, found }`. */
  read(packet: ReadPacket): ReadResult {
    return read(this.#ctx, packet);
  }

  /** The fact `read` would return the value of (with its `seq`, for `expect`): `{ found, fact }`. */
  readFact(packet: ReadFactPacket): ReadFactResult {
    return readFact(this.#ctx, packet);
  }

  /** The latest values of a store matching `where`, in key order after `after` or sorted, limited (default 100, max 10_000). */
  query(packet: QueryPacket): QueryResult {
    return query(this.#ctx, packet);
  }

  /** Keys of a store in UTF-16 order, by prefix, after a cursor, limited (default 1000, max 10_000). */
  keys(packet: KeysPacket): KeysResult {
    return keys(this.#ctx, packet);
  }

  /** The user stores with their fact and key counts, in UTF-16 order, limited (default 1000, max 10_000). */
  stores(packet: StoresPacket = {}): StoresResult {
    return stores(this.#ctx, packet);
  }

  /** Keys and values related to `from` by a relation; `ERR_NO_RELATION` when unknown. */
  resolve(packet: ResolvePacket): ItemsResult {
    return resolve(this.#ctx, packet);
  }

  /** Stored facts after a seq cursor, as fact packets, with `next_cursor` and `has_more`. */
  replay(packet: ReplayPacket = {}): ReplayResult {
    return replay(this.#ctx, packet);
  }

  /** Metadata, a page of facts after a seq cursor and compaction activity, for a sync hub. */
  syncHubProfile(packet: SyncPacket = {}): SyncHubProfile {
    return syncHubProfile(this.#ctx, packet);
  }

  /** The causation chain of (store, key), oldest first. */
  causationChain(packet: SubjectPacket): CausationChainResult {
    return causationChain(this.#ctx, packet);
  }

  /** The lineage of (store, key) with its proof hash. */
  lineage(packet: SubjectPacket): LineageResult {
    return lineage(this.#ctx, packet);
  }

  /** A reference to a live fact, without its value. */
  factRef(packet: { fact_id: string }): FactRefResult {
    return factRef(this.#ctx, packet);
  }

  /** What the store runs and what was declared. */
  metadataSnapshot(): MetadataSnapshot {
    return metadataSnapshot(this.#ctx);
  }

  /** Every current descriptor by kind and name. */
  descriptorSnapshot(): DescriptorSnapshot {
    return descriptorSnapshot(this.#ctx);
  }

  /** Health view: status, storage statistics and alerts. */
  observabilitySnapshot(): ObservabilitySnapshot {
    return observabilitySnapshot(this.#ctx);
  }

  /** Compactions, prunes and purges, filtered and limited (newest kept). */
  compactionActivity(packet: CompactionActivityPacket = {}): CompactionActivityResult {
    return compactionActivity(this.#ctx, packet);
  }

  /** Storage statistics in wire form; null in memory. */
  storageStats(packet: StoreFilterPacket = {}): StorageStatsPacket | null {
    return storageStats(this.#ctx, packet);
  }

  /** The segment manifest in wire form; null unless segmented. */
  segmentManifest(packet: StoreFilterPacket = {}): SegmentManifestPacket | null {
    return segmentManifest(this.#ctx, packet);
  }

  /** Every rule with its state, counters and lag. */
  ruleStatus(): RuleStatusResult {
    return ruleStatus(this.#ctx);
  }

  /** Rebuilds a rule from its source facts; the one asynchronous operation. */
  rebuild(packet: RebuildPacket): Promise<RebuildResultPacket> {
    return rebuild(this.#ctx, packet);
  }

  /** Lets a stopped rule run again; answers its status. */
  resumeRule(packet: RuleNamePacket): RuleStatusPacket {
    return resumeRule(this.#ctx, packet);
  }

  /** What this interpreter speaks: protocol, versions, ops, descriptor kinds and limits (C-11). */
  describe(): Description {
    return {
      protocol: PROTOCOL,
      schema_versions: [1],
      ops: Object.keys(SPECS).sort(),
      descriptor_kinds: [...DESCRIPTOR_KINDS],
      limits: Object.fromEntries(
        Object.entries(LIMITS).map(([op, l]) => [op, { default: l.default, max: l.max }]),
      ),
    };
  }
}
