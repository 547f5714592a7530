import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';
import type { NativeWalHandle } from './native-binding.js';

/**
 * Facts a backend read at open for the TS engine, not decoded yet: per fact its seq,
 * transaction time and (store, key) pair, each fact built on its first read. The TS engine
 * indexes these numbers at adoption and decodes a fact only when it is read (DESIGN D8).
 */
export interface LazyFacts {
  readonly engine: 'ts';
  /** Number of facts, indexed 0 .. count - 1 in seq order. */
  readonly count: number;
  seqAt(i: number): number;
  transactionTimeAt(i: number): number;
  /** The (store, key) pair id of fact `i`: equal for facts of the same key. */
  keyIdAt(i: number): number;
  /** A number for the store of a pair id, equal for pairs of the same store. */
  storeIndexOfKeyId(keyId: number): number;
  storeOfKeyId(keyId: number): string;
  keyOfKeyId(keyId: number): string;
  /** The fact's id without building the fact. */
  idAt(i: number): string;
  /** False when fact `i` certainly has no idempotency key and no producer `kind`. */
  mayRestore(i: number): boolean;
  /** Fact `i`, built on first read (frozen); throws `ERR_CORRUPT_LOG` when it does not decode. */
  fact(i: number): Fact;
  /** Drops fact `i`'s bytes once the engine removed it (a pruned value must not stay readable). */
  forget(i: number): void;
}

/** A fact log a backend filled natively at open for the native engine (opaque outside core). */
export interface NativePreload {
  readonly engine: 'native';
}

/**
 * A data file writer a native engine frames committed facts into (`Engine.attachWal`): the file
 * backend's native WAL writer, seen from the engine.
 */
export interface FramedWal {
  /** The addon's writer the native log frames into. */
  readonly handle: NativeWalHandle;
  /** Takes note that `fact` was framed natively, `bytes` long. */
  framed(fact: Fact, bytes: number): void;
}

/**
 * A log a backend read at open for the store's engine to take whole (`Backend.takePreloaded`,
 * `Engine.adopt`): replayed natively for the native engine, or indexed but not decoded for the
 * TS engine. `engine` says which engine can adopt it.
 */
export type PreloadedFacts = NativePreload | LazyFacts;

/** Which engine runs the fact log. */
export type EngineKind = 'native' | 'ts';

/**
 * One fact to append, as the store has prepared it: names checked, causation resolved,
 * transaction time clamped. `value` is not yet validated: the engine validates, canonicalizes
 * and hashes it, and assigns `id` and `seq`.
 */
export interface AppendInput {
  store: string;
  key: string;
  value: unknown;
  causation: string | null;
  /**
   * Link the fact to its key's latest fact at append time (earlier inputs of the same call
   * included): that fact's id becomes the causation, null when the key has none; `causation`
   * is then ignored. Saves the caller a lookup.
   */
  causeLatest?: boolean;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
  producer: JsonObject | null;
  derivation: JsonObject | null;
  idempotencyKey: string | null;
}

/** How much of a store is live (`Engine.storeCounts`). */
export interface StoreCounts {
  factCount: number;
  keyCount: number;
}

/** Inclusive transaction-time bounds of a scan. */
export interface TimeBounds {
  since?: number | undefined;
  asOf?: number | undefined;
}

/**
 * The fact log behind an `IgniterStore`. Two implementations exist with identical observable
 * behaviour: `TsEngine` (pure TypeScript) and `NativeEngine` (the napi-rs addon). Calls are
 * coarse (one per operation or per batch) so that a native implementation crosses its boundary
 * rarely. Facts are returned in seq order wherever a list is returned.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** Version of the implementation (the addon's crate version for native). */
  readonly version: string;

  /** RFC 8785 canonical JSON of a value; throws `ERR_INVALID_VALUE`. */
  canonicalJson(value: unknown): string;
  /** SHA-256 hex of the canonical JSON of a value; throws `ERR_INVALID_VALUE`. */
  valueHash(value: unknown): string;
  /** SHA-256 hex of the UTF-8 bytes of a string. */
  sha256Hex(text: string): string;

  /**
   * Validates every input, then appends all of them (all or none) with seqs
   * `lastSeq() + 1 ...`. Throws `ERR_INVALID_VALUE` or `ERR_VALUE_TOO_LARGE` and appends nothing.
   * With a writer attached (`attachWal`), the facts are framed into it too unless `framed` is
   * false (a fact the caller persists another way), all of them in one hand-over or, when one
   * is outside the form Rust frames, none (the backend then frames the batch in JS); a failed
   * write of the frames throws the writer's error and appends nothing.
   */
  append(inputs: readonly AppendInput[], framed?: boolean): Fact[];
  /**
   * Frames every fact appended from now on into a file backend's native writer, in the same
   * call (`undefined` detaches); false when this engine cannot (the TS engine has no such method).
   */
  attachWal?(wal: FramedWal | undefined): boolean;
  /** Drops every fact with a seq above `seq` (undoes an append whose backend write failed). */
  truncateAfter(seq: number): void;
  /** Inserts already-built facts (replay from a backend), in increasing seq order. */
  load(facts: Iterable<Fact>): void;
  /**
   * Takes over a log a backend read at open (see `Backend.takePreloaded`) instead of loading
   * facts; returns false, taking nothing, when this engine cannot (the log is of the other
   * engine's kind, or this engine already holds facts).
   */
  adopt?(preloaded: PreloadedFacts): boolean;
  /** Removes the facts with these ids; returns the removed facts. `lastSeq()` is unchanged. */
  remove(ids: Iterable<string>): Fact[];
  /** Makes the next seq at least `seq + 1` (the high-water mark survives prune and reopen). */
  advanceSeq(seq: number): void;

  /** The highest-seq fact of (store, key) with transactionTime <= asOf. */
  latestFor(store: string, key: string, asOf?: number): Fact | undefined;
  /** The value of `latestFor(store, key, asOf)`, without building the fact. */
  latestValue(store: string, key: string, asOf?: number): Json | undefined;
  /**
   * True when `latestValue` with an `asOf` looks the fact up on every call and keeps decoded
   * values itself (the native engine, by slot): the read path then keeps no time-travel
   * entry of its own for a value read as of a time (no coercion, no `validAt`).
   */
  readonly memoizesValues?: boolean;
  /** Facts of a store (of one key when given) within the time bounds, in seq order. */
  factsFor(store: string, key: string | undefined, bounds?: TimeBounds): Fact[];
  /** Keys of a store that have at least one live fact, in no particular order. */
  keys(store: string): string[];
  /** Names of stores that have at least one live fact. */
  stores(): string[];
  /** Live facts and keys with a live fact of one store (zeros for an unknown store). */
  storeCounts(store: string): StoreCounts;
  byId(id: string): Fact | undefined;
  /** Facts with these seqs, in the given order; unknown seqs are skipped. */
  bySeqs(seqs: readonly number[]): Fact[];
  /** The live fact with the highest seq. */
  last(): Fact | undefined;
  /**
   * The live facts a store restores after a replay, in seq order: those that carry an
   * idempotency key, or a producer whose `kind` is `producerKind`.
   */
  restorable(producerKind: string): Fact[];
  /** Every live fact within the time bounds, in seq order. */
  all(bounds?: TimeBounds): Fact[];
  /** Number of live facts. */
  size(): number;
  /** The highest seq ever committed or reserved (0 for a new log). */
  lastSeq(): number;
}

/** Options every engine takes. */
export interface EngineOptions {
  /** Largest canonical JSON value in UTF-8 bytes (default 16 MiB). */
  maxValueBytes?: number;
}

/** Default limit of a single value's canonical JSON, in UTF-8 bytes (ARCHITECTURE.md D10). */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
