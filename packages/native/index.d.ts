/**
 * @igniter/native: Igniter's Rust hot path as a Node-API addon.
 *
 * Every function is synchronous. A failure throws a {@link NativeError}, whose `code` is the
 * same stable code `@igniter/core` throws from its TypeScript engine.
 *
 * Loading this module throws an `Error` with `code` `"ERR_NATIVE_UNAVAILABLE"` when the addon
 * was not built (no Rust toolchain) and no prebuilt binary exists for the platform.
 */

/** Codes a native function can throw. */
export type NativeErrorCode =
  | 'ERR_INVALID_VALUE'
  | 'ERR_VALUE_TOO_LARGE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CORRUPT_LOG';

/** What every function of this package throws. */
export interface NativeError extends Error {
  /** Stable error code, identical across engines. */
  readonly code: NativeErrorCode;
}

/**
 * Version of the addon's JS surface, `2`. `@igniter/core` refuses an addon with another one.
 * Cost: constant.
 */
export declare function abiVersion(): number;

/** Version of the Rust crates the addon was built from, e.g. `"0.1.0"`. Cost: constant. */
export declare function crateVersion(): string;

/**
 * RFC 8785 canonical JSON of the value written as `jsonText`: no whitespace, object keys
 * sorted by UTF-16 code units, every number an IEEE double in ECMAScript formatting (`1.0` ->
 * `1`, `-0` -> `0`, `1e21` -> `1e+21`), minimal string escaping.
 *
 * @throws {NativeError} `ERR_INVALID_VALUE` when `jsonText` is not exactly one JSON value, or
 *   holds a number that overflows a double (`1E400`), a lone UTF-16 surrogate (escaped or raw)
 *   or a duplicate object key; `ERR_INVALID_ARGUMENT` when `jsonText` is not a string.
 *
 * Cost: linear in the length of `jsonText` plus sorting each object's keys; one copy of the
 * text into native memory. Any nesting depth is accepted.
 */
export declare function canonicalJson(jsonText: string): string;

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `canonicalJson(jsonText)`.
 *
 * @throws {NativeError} as {@link canonicalJson} does.
 *
 * Cost: that of {@link canonicalJson} plus one SHA-256 pass over the canonical bytes.
 */
export declare function valueHash(jsonText: string): string;

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `text` (a lone surrogate is encoded as U+FFFD,
 * as `Buffer.from(text)` does).
 *
 * @throws {NativeError} `ERR_INVALID_ARGUMENT` when `text` is not a string.
 *
 * Cost: one SHA-256 pass over the UTF-8 bytes of `text`.
 */
export declare function sha256Hex(text: string): string;

/**
 * Packed facts: the text of up to 256 facts per string. Their numbers went into the `out`
 * array of the call: `out[0]` is the count, then 13 numbers per fact (seq, transactionTime,
 * validTime or NaN, schemaVersion, store index, then the UTF-16 lengths of the text parts id,
 * valueHash, causation, key, value, producer, derivation, idempotencyKey, -1 for null). When
 * `1 + 13 * count > out.length`, the numbers are fetched with {@link NativeLog.takeSpill}.
 */
export type PackedTexts = string[];

/**
 * The fact log in Rust (`igniter-log`): facts stay off the V8 heap as compact records and
 * canonical JSON bytes. Used by `@igniter/core`'s NativeEngine; every method is synchronous,
 * one call per operation or batch.
 */
export declare class NativeLog {
  /** An empty log whose values may be at most `maxValueBytes` of canonical JSON. */
  constructor(maxValueBytes: number);
  /**
   * Appends one fact of a batch (visible at once). `text` holds its parts one after another
   * (store, key, value JSON, causation, producer JSON, derivation JSON, idempotencyKey);
   * `numbers` the transactionTime, validTime (NaN for null), schemaVersion, 1 to commit the
   * batch (0 to keep it open; {@link discard} undoes it), then the UTF-16 lengths of the seven
   * parts (-1 for null). Returns id (36 chars) + valueHash (64 chars) + canonical value JSON.
   * @throws {NativeError} `ERR_INVALID_VALUE`, `ERR_VALUE_TOO_LARGE`; nothing is staged then.
   * Cost: canonicalizing and hashing the value, amortized O(1) index upkeep.
   */
  stage(text: string, numbers: Float64Array): string;
  /** Undoes every fact staged since the last commit, seqs included. */
  discard(): void;
  /**
   * Inserts already-built facts (replay) in one call: 13 numbers per fact in `numbers` (seq,
   * transactionTime, validTime or NaN, schemaVersion, then the UTF-16 lengths of the text
   * parts id, valueHash, store, key, value JSON, causation, producer JSON, derivation JSON,
   * idempotencyKey, -1 for null) and those parts concatenated in `text`. Ids, seqs and hashes
   * are kept as given.
   * @throws {NativeError} `ERR_CORRUPT_LOG` at the first seq that does not increase (the facts
   *   before it stay), `ERR_INVALID_VALUE` for JSON that is not an Igniter value.
   */
  loadBatch(text: string, numbers: Float64Array): void;
  /** Drops facts above `seq`; `seq` becomes the last seq. */
  truncateAfter(seq: number): void;
  /** Makes the next seq at least `seq + 1`. */
  advanceSeq(seq: number): void;
  /**
   * The latest fact of (store, key) as of a time, packed (numbers in `out`); null when none.
   * `storeAndKey` is the store name followed by the key; on the way in `out[0]` holds the
   * store name's length and `out[1]` the as-of time (NaN for none).
   */
  latestFor(storeAndKey: string, out: Float64Array): string | null;
  /** The live fact with this id, packed; null when none. */
  byId(id: string, out: Float64Array): string | null;
  /** Facts of a store (one key when given) within inclusive bounds, seq order, packed. */
  factsFor(
    store: string,
    key: string | null,
    since: number | null,
    asOf: number | null,
    out: Float64Array,
  ): PackedTexts;
  /** Every live fact within inclusive bounds, seq order, packed. */
  all(since: number | null, asOf: number | null, out: Float64Array): PackedTexts;
  /** The live facts with these seqs, in the given order, packed. */
  bySeqs(seqs: Float64Array, out: Float64Array): PackedTexts;
  /** Removes the live facts with these ids; returns them packed, seq order. */
  remove(ids: string[], out: Float64Array): PackedTexts;
  /** The numbers of the last packed result that did not fit `out`. */
  takeSpill(): Float64Array;
  /** Keys of a store with a live fact. */
  keys(store: string): string[];
  /** Stores with a live fact. */
  stores(): string[];
  /** Name of the store with this index (from packed numbers). */
  storeName(index: number): string | null;
  /** Number of live facts. */
  size(): number;
  /** Highest seq ever committed or reserved. */
  lastSeq(): number;
  /** Bytes held for facts in Rust (records, payload, indexes), by capacity. */
  heapBytes(): number;
}
