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
 * Version of the addon's JS surface, `3`. `@igniter/core` refuses an addon with another one.
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
 * Takes an exclusive `flock(2)` on the open descriptor `fd` without waiting: `true` when it is
 * now held through `fd`, `false` when another open description of the same file (in this or
 * another process) holds one. The kernel releases it when `fd` is closed or the process dies.
 * Throws an `Error` with `code` `"ERR_INVALID_ARGUMENT"` for any other failure, and
 * `"ERR_UNSUPPORTED_PLATFORM"` on Windows (no flock). Cost: one system call.
 */
export declare function tryLockFile(fd: number): boolean;

/**
 * Writes, on the libuv pool, the checkpoint image of the facts in the data files at `paths`
 * (opened before this returns, so a later rename over them changes nothing), each read from its
 * offset in `numbers`, to `tempPath` (not fsynced: a CRC-32 guards every part), not yet tied to
 * a snapshot ({@link sealImage}).
 * `numbers`: a start offset per path, then the largest frame body, the new snapshot's lastSeq
 * and factCount, then the old snapshot's (the first path's) lastSeq and factCount. With
 * `baseImage` (the old snapshot's image), the build starts from that image when it is intact and
 * tied to the first path, and replays only the other files. Resolves to `""` once written, or to
 * why not (a file that cannot be opened, files that do not give exactly the snapshot's facts, a
 * failed write: the temp file is then removed). Never rejects.
 * Cost: one replay of the files (or of all but the first, with a usable base image) and one
 * write of the image.
 */
export declare function buildImage(
  paths: string[],
  numbers: number[],
  tempPath: string,
  baseImage?: string | null,
): Promise<string>;

/**
 * Ties the image at `imagePath` (from {@link buildImage}) to the snapshot at `snapshotPath`,
 * whose metadata record declares `lastSeq` and `factCount` (its size and the CRC-32 of its last
 * 64 KiB go into the image header), on the libuv pool. Resolves to `""`, or to
 * why it was not sealed. Never rejects.
 */
export declare function sealImage(
  imagePath: string,
  snapshotPath: string,
  lastSeq: number,
  factCount: number,
): Promise<string>;

/** What {@link NativeLog.openImage} did. */
export interface ImageOpenResult {
  /** True when the log now holds the image's facts; false when the image was refused. */
  opened: boolean;
  /** Why the image was refused (missing, tied to another snapshot, damaged). */
  reason?: string;
  /** Facts loaded. */
  loaded: number;
  /** The log's last seq. */
  maxSeq: number;
  /**
   * Offset in the log file where the frames the image covers end: 0 for a checkpoint's image,
   * else (an image an open wrote) the caller replays the log from there.
   */
  logEnd: number;
  /** The snapshot's stores with facts, with fact counts and frame bytes at the same index. */
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
}

/**
 * Packed facts: the text of up to 256 facts per string. Their numbers went into the `out`
 * array of the call: `out[0]` is the count, then 13 numbers per fact (seq, transactionTime,
 * validTime or NaN, schemaVersion, store index, then the UTF-16 lengths of the text parts id,
 * valueHash, causation, key, value, producer, derivation, idempotencyKey, -1 for null). When
 * `1 + 13 * count > out.length`, the numbers are fetched with {@link NativeLog.takeSpill}.
 */
export type PackedTexts = string[];

/** What {@link NativeLog.loadCopy} took. */
export interface CopyLoadResult {
  /** Bytes taken; the rest begins a row (or the header) that is not complete yet. */
  consumed: number;
  /** The trailer was read: the COPY is complete. */
  ended: boolean;
  /** Facts loaded. */
  loaded: number;
  /** Highest seq loaded (0 when none). */
  maxSeq: number;
  /** Stores that got facts; their fact counts and field bytes are at the same index below. */
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
  /**
   * From {@link NativeLog.copyFinish} only: the COPY's bytes (its `CopyData` payloads, joined
   * in order), in pieces, for reading the rows again later.
   */
  bytes?: Buffer[];
}

/** Where the COPY's messages ended in bytes given to {@link NativeLog.copyPush}. */
export interface CopyOutEnd {
  /** Offset in those bytes where the driver's bytes begin (after `carried`). */
  at: number;
  /** The COPY ended with `CopyDone`; false: another message (an `ErrorResponse`) ended it. */
  done: boolean;
  /** The first bytes of the driver's next message, which came at the end of earlier pieces. */
  carried: Buffer;
}

/** What {@link NativeLog.replayFile} found. */
export interface ReplayResult {
  /** File size when it ran (-1 when the file could not be read). */
  size: number;
  /** Offset just past the last frame taken. */
  end: number;
  /** Why it stopped: the end of the file, a damaged frame, or a frame left to the JS decoder. */
  stop: 'end' | 'incomplete' | 'bad-crc' | 'too-large' | 'empty' | 'broken-batch' | 'unsupported';
  /** Offset of the frame it stopped at (-1 at the end). */
  stopOffset: number;
  /** Why a frame was left to the JS decoder. */
  reason?: string;
  /** The metadata frame's body, when only it was asked for. */
  meta?: string;
  /** Highest seq read. */
  maxSeq: number;
  /** Facts loaded. */
  loaded: number;
  /** Stores that got facts, with fact counts and frame bytes at the same index. */
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
}

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
   * A causation length of -2 links the fact to its key's latest fact instead (no causation
   * part in `text`): that fact's id then follows the hash in the result, and `numbers[7]` is
   * set to its length (-1 when the key had no fact).
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
  /**
   * Inserts the whole rows at the start of `bytes`, a piece of a binary
   * `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)` of `@igniter/backend-postgres`'s
   * fact table, in one call, with no row crossing as JS strings; `header`: `bytes` starts with
   * the COPY header. Values already in canonical form are stored as they are, others
   * canonicalized. Give the bytes after `consumed` again, completed, to the next call.
   * @throws {NativeError} `ERR_CORRUPT_LOG` for bytes that are not such a COPY or a seq that
   *   does not increase, `ERR_INVALID_VALUE` for JSON that is not an Igniter value (the facts
   *   before the bad row stay).
   */
  loadCopy(bytes: Uint8Array, header: boolean): CopyLoadResult;
  /**
   * Starts loading a binary COPY of `@igniter/backend-postgres`'s fact columns straight off the
   * wire, on a worker thread: give {@link NativeLog.copyPush} every byte the connection reads
   * from the moment the COPY's query is sent, then call {@link NativeLog.copyFinish}. Until
   * then the log belongs to the worker and this one reads as empty.
   * @throws {Error} when a COPY load is running on this log already.
   */
  copyBegin(): void;
  /**
   * Takes the next bytes off the connection (PostgreSQL's messages, framing included) and
   * hands the COPY's rows in them to the worker. Returns null while the COPY goes on, else
   * where its messages ended: `carried` and the bytes from `at` on belong to the driver. Cost:
   * one copy of the row bytes; the parsing and loading happen on the worker.
   * @throws {Error} when no COPY load is running.
   */
  copyPush(bytes: Uint8Array): CopyOutEnd | null;
  /**
   * Waits for the worker to load every row it was given and gives the log back; returns what
   * was loaded.
   * @throws {NativeError} `ERR_CORRUPT_LOG` for a COPY that did not end (its trailer and
   *   `CopyDone`), bytes that are not a COPY of the fact columns or a seq that does not
   *   increase; `ERR_INVALID_VALUE` for JSON that is not an Igniter value (the facts before
   *   the bad row stay). {Error} when no COPY load is running.
   */
  copyFinish(): CopyLoadResult;
  /**
   * Replays a data file of the file backends (header, metadata frame, fact frames) into this
   * log in one call: reads its frames from `numbers[0]`, checks each CRC-32, parses each fact
   * record and loads it (values canonicalized, ids, seqs and hashes kept), and stops at the
   * first frame that is damaged or that it does not take. `numbers`: start offset, largest
   * frame body, 1 to read only the first frame (returned as `meta`), the seq every fact must be
   * above, the highest seq allowed (Infinity for none), the seq up to which facts are checked
   * but not loaded. An intact frame it does not take (not a plain record, a seq out of order,
   * a value that is not an Igniter value) or a failed read stops it with `stop: 'unsupported'`
   * and a `reason`: the caller then reads the file with the JS decoder. Facts before the stop
   * stay loaded.
   * @throws {NativeError} `ERR_INVALID_ARGUMENT` when `numbers` has fewer than 6 entries.
   * Cost: one sequential read, CRC pass and parse of the file.
   */
  replayFile(path: string, numbers: Float64Array): ReplayResult;
  /**
   * Loads the checkpoint image at `imagePath` into this log, which must be empty, when it is
   * intact and tied to the snapshot at `snapshotPath`, whose metadata record declares
   * `numbers` = [lastSeq, factCount]. The records stay in the file, mapped read-only (each
   * 1 MiB chunk checked against its CRC-32 first); the key and id indexes are read in bulk.
   * A missing, stale or damaged image is refused (`opened: false`, with the reason) and the
   * log is unchanged: the caller replays the snapshot. `snapshotPath` empty: there is no
   * snapshot. With `logPath`, an image an open wrote ({@link NativeLog.writeImage}: it covers
   * the first bytes of that log too) is taken when the log still starts with those bytes.
   * Never throws.
   * Cost: a map, one CRC pass over the image, one hash insert per key.
   */
  openImage(
    imagePath: string,
    snapshotPath: string,
    numbers: Float64Array,
    logPath?: string,
  ): ImageOpenResult;
  /**
   * After an open replayed the snapshot at `snapshotPath` (empty: none; `numbers[1]`,
   * `numbers[2]` its lastSeq and factCount) and the log at `logPath` up to offset `numbers[0]`
   * into this log: writes the log's state as an image to `tempPath`, renames it to `imagePath`
   * and reopens this log from it, so its records and indexes are file pages instead of heap;
   * the image is tied to the snapshot and to those log bytes. `tallyStores`, with
   * `tallyNumbers` (facts, then frame bytes, per store): what was replayed. Returns `""` once
   * done, else why not (the log is then unchanged). Never throws.
   * Cost: one sequential write of the records, payload and indexes.
   */
  writeImage(
    imagePath: string,
    tempPath: string,
    logPath: string,
    snapshotPath: string,
    numbers: Float64Array,
    tallyStores: string[],
    tallyNumbers: Float64Array,
  ): string;
  /**
   * The live facts that carry an idempotency key or whose producer JSON contains
   * `producerText`, seq order, packed.
   */
  restorable(producerText: string, out: Float64Array): PackedTexts;
  /** The live fact with the highest seq, packed; null for an empty log. */
  last(out: Float64Array): string | null;
  /** Changes the largest canonical value later appends accept. */
  setMaxValueBytes(maxValueBytes: number): void;
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
  /**
   * The canonical JSON value of the latest fact of (store, key) as of a time (NaN for none),
   * alone; null when none. When `out` is given and has room (66 numbers), a value that is a
   * flat object (ASCII, no escape, 1 to 32 members each a string, number, boolean or null) is
   * also read into it: `out[1]` the id of its key sequence (the same keys in the same order
   * have the same id in this log; -1 when not read), then two numbers per member: a string's
   * start and end in the text, or -1 and the number, -2 and 1 or 0 (a boolean), -3 and 0
   * (null). Throws `ERR_INVALID_ARGUMENT` when `store` or `key` is not a string, or `out` not
   * a `Float64Array`.
   */
  latestValue(store: string, key: string, asOf: number, out?: Float64Array): string | null;
  /**
   * `latestValue` for a caller that keeps values decoded by slot: null when there is no such
   * fact; the fact's slot, a number, when this caller took its value from here before (and
   * `forgetValues`, a removal or a truncation came not since); else its canonical JSON, with
   * the slot in `out[0]`, and from then on the caller is taken to hold it. A slot names the
   * same fact until facts are removed or truncated. A value handed over as text is read into
   * `out` from `out[1]` on as `latestValue` reads it, when `out` has room. Throws
   * `ERR_INVALID_ARGUMENT` when `store` or `key` is not a string.
   */
  readValue(store: string, key: string, asOf: number, out: Float64Array): number | string | null;
  /** Forgets which values the caller holds (see `readValue`). */
  forgetValues(): void;
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
  /** `[live facts, keys with a live fact]` of a store. */
  storeCounts(store: string): number[];
  /** Name of the store with this index (from packed numbers). */
  storeName(index: number): string | null;
  /** Number of live facts. */
  size(): number;
  /** Highest seq ever committed or reserved. */
  lastSeq(): number;
  /** Bytes held for facts in Rust (records, payload, indexes), by capacity. */
  heapBytes(): number;
  /**
   * Frames every fact staged with `numbers[11] = 1` into `wal` (the json-v1 frame the file
   * backends write), handing a batch's frames to it when the batch commits; `stage` then sets
   * `numbers[12]` to the frame's length, or -1 when the fact is left to JS to frame (a field
   * outside the plain form, or after such a fact in the batch). A failed write of the frames
   * throws from `stage` with the writer's error and undoes the batch.
   */
  attachWal(wal: NativeWal): void;
  /** Stops framing into a writer. */
  detachWal(): void;
}

/**
 * The frame writer of a data file (a file backend's log), in Rust: it owns the file, the
 * buffer and, in group mode, a thread that writes and fdatasyncs the buffer once the
 * group-commit window has passed or it is full. Errors carry a Node-style `code` (`ENOSPC`,
 * `EIO`, ...; `ERR_CLOSED` once sealed); after a failed write or fsync every call throws it.
 */
export declare class NativeWal {
  /**
   * Takes over the file at `path`. `numbers`: offset where its frames end, highest seq in it
   * (all durable), durability (0 fsync, 1 group, 2 none), group window ms, group bytes,
   * largest frame body.
   */
  constructor(path: string, numbers: Float64Array);
  /** Appends whole frames encoded in JS, holding facts up to `seq`. */
  append(frames: Uint8Array, seq: number): void;
  /** Blocks until everything appended is on disk. */
  sync(): void;
  /** Resolves when everything appended is on disk: to "" or to "<code>\n<message>". */
  flush(): Promise<string>;
  /** Writes buffered frames to the OS, unsynced. */
  writeToOs(): void;
  /** Refuses later appends with `ERR_CLOSED`. */
  seal(): void;
  /** Stops the writer and closes the file, dropping anything buffered. Idempotent. */
  shut(): void;
  /** Switches to the file at `path` (a rewrite replaced the log), ending at `end`, seqs up to `lastSeq`. */
  reopen(path: string, end: number, lastSeq: number): void;
  /** Writes pending bytes, last seq, durable seq, fsyncs, file size and 1 if failed (else 0) into `out`. */
  status(out: Float64Array): void;
  /** Whether frames wait to be made durable. */
  hasPending(): boolean;
}
