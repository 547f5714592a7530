/**
 * The surface of `@igniter/native` that core relies on (a boundary type: the addon's own
 * generated typings stay private to that package). Errors thrown by the addon are plain
 * `Error`s whose `code` is an Igniter error code.
 */
export interface NativeBinding {
  /** Version of the boundary; core refuses an addon whose ABI it does not know. */
  abiVersion(): number;
  /** Version of the Rust crate. */
  crateVersion(): string;
  /** RFC 8785 canonical form of JSON text. */
  canonicalJson(jsonText: string): string;
  /** SHA-256 hex of the canonical form of JSON text. */
  valueHash(jsonText: string): string;
  /** SHA-256 hex of the UTF-8 bytes of a string. */
  sha256Hex(text: string): string;
  /**
   * Exclusive non-blocking `flock(2)` on an open descriptor: false when another open
   * description of the file holds it. Absent from addons built before it existed.
   */
  tryLockFile?(fd: number): boolean;
  /**
   * Writes a checkpoint image of data files off the JS thread; resolves to "" or to why not.
   * Absent from addons built before it existed (as is `sealImage`).
   */
  buildImage?(
    paths: string[],
    numbers: number[],
    tempPath: string,
    baseImage?: string | null,
  ): Promise<string>;
  /** Ties an image to its snapshot; resolves to "" or to why not. */
  sealImage?(imagePath: string, snapshotPath: string, lastSeq: number, factCount: number): Promise<string>;
  /** The fact log class. */
  NativeLog: new (
    maxValueBytes: number,
  ) => NativeLogHandle;
  /** The frame writer of a data file (see `NativeWalWriter`). */
  NativeWal: new (
    path: string,
    numbers: Float64Array,
  ) => NativeWalHandle;
}

/** The Rust frame writer of a data file (`NativeWal` of `@igniter/native`). */
export interface NativeWalHandle {
  append(frames: Uint8Array, seq: number): void;
  sync(): void;
  /** Resolves to "" or to the failure as "<code>\n<message>". */
  flush(): Promise<string>;
  writeToOs(): void;
  seal(): void;
  shut(): void;
  reopen(path: string, end: number, lastSeq: number): void;
  /** Pending bytes, last seq, durable seq, fsyncs, size, 1 if failed. */
  status(out: Float64Array): void;
  hasPending(): boolean;
}

/**
 * The Rust fact log (`NativeLog` of `@igniter/native`). Reads return facts packed: their
 * numbers in the `out` array (`out[0]` = count, then {@link PACKED_FACT_STRIDE} per fact, or
 * in `takeSpill()` when they do not fit) and their text, one string per
 * {@link PACKED_FACT_GROUP} facts.
 */
export interface NativeLogHandle {
  replayFile(path: string, numbers: Float64Array): NativeReplayResult;
  /**
   * Loads a checkpoint image tied to a snapshot into the empty log, or refuses it. Absent from
   * addons built before it existed.
   */
  openImage?(
    imagePath: string,
    snapshotPath: string,
    numbers: Float64Array,
    logPath?: string,
  ): NativeImageOpen;
  /**
   * Writes the replayed log as an image and reopens it from there (see `@igniter/native`).
   * Absent from addons built before it existed (same ABI: the caller checks).
   */
  writeImage?(
    imagePath: string,
    tempPath: string,
    logPath: string,
    snapshotPath: string,
    numbers: Float64Array,
    tallyStores: string[],
    tallyNumbers: Float64Array,
  ): string;
  restorable(producerText: string, out: Float64Array): string[];
  last(out: Float64Array): string | null;
  setMaxValueBytes(maxValueBytes: number): void;
  stage(text: string, numbers: Float64Array): string;
  discard(): void;
  loadBatch(text: string, numbers: Float64Array): void;
  /**
   * Loads the whole rows at the start of a piece of the PostgreSQL backend's binary COPY.
   * Absent from @igniter/native releases before it existed (same ABI: the caller checks).
   */
  loadCopy?(bytes: Uint8Array, header: boolean): NativeCopyLoad;
  /** Starts loading a COPY off the wire on a worker thread (absent before it existed, as `loadCopy`). */
  copyBegin?(): void;
  /** The next bytes off the connection for that load; null while the COPY goes on. */
  copyPush?(bytes: Uint8Array): NativeCopyOutEnd | null;
  /** Waits for that load and gives the log back. */
  copyFinish?(): NativeCopyLoad;
  truncateAfter(seq: number): void;
  advanceSeq(seq: number): void;
  latestFor(storeAndKey: string, out: Float64Array): string | null;
  latestValue(store: string, key: string, asOf: number, out?: Float64Array): string | null;
  readValue(store: string, key: string, asOf: number, out: Float64Array): number | string | null;
  forgetValues(): void;
  byId(id: string, out: Float64Array): string | null;
  factsFor(
    store: string,
    key: string | null,
    since: number | null,
    asOf: number | null,
    out: Float64Array,
  ): string[];
  all(since: number | null, asOf: number | null, out: Float64Array): string[];
  bySeqs(seqs: Float64Array, out: Float64Array): string[];
  remove(ids: string[], out: Float64Array): string[];
  takeSpill(): Float64Array;
  keys(store: string): string[];
  stores(): string[];
  storeCounts(store: string): number[];
  storeName(index: number): string | null;
  size(): number;
  lastSeq(): number;
  heapBytes(): number;
  /** Frames facts staged with the frame flag into `wal`. */
  attachWal(wal: NativeWalHandle): void;
  /** Stops framing into a writer. */
  detachWal(): void;
}

/** What `NativeLogHandle.loadCopy` took (see `@igniter/native`'s typings). */
export interface NativeCopyLoad {
  consumed: number;
  ended: boolean;
  loaded: number;
  maxSeq: number;
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
  /** The COPY's bytes in pieces (`copyFinish` only). */
  bytes?: Uint8Array[];
}

/** Where a COPY's messages ended in bytes given to `NativeLogHandle.copyPush` (see `@igniter/native`'s typings). */
export interface NativeCopyOutEnd {
  at: number;
  done: boolean;
  carried: Uint8Array;
}

/** What `NativeLogHandle.replayFile` found (see `@igniter/native`'s typings). */
export interface NativeReplayResult {
  size: number;
  end: number;
  stop: 'end' | 'incomplete' | 'bad-crc' | 'too-large' | 'empty' | 'broken-batch' | 'unsupported';
  stopOffset: number;
  reason?: string;
  meta?: string;
  maxSeq: number;
  loaded: number;
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
}

/** What `NativeLogHandle.openImage` did (see `@igniter/native`'s typings). */
export interface NativeImageOpen {
  opened: boolean;
  reason?: string;
  loaded: number;
  maxSeq: number;
  /** Where the log bytes the image covers end (0: none, a checkpoint's image; absent from older addons). */
  logEnd?: number;
  tallyStores: string[];
  tallyFacts: number[];
  tallyBytes: number[];
}

/** Numbers of a `replayFile` call. */
export const REPLAY_NUMBERS = 6;

/**
 * The packed fact layout: where each number of a fact sits in a packed result, from the fact's
 * first number. Its Rust twin is `mod slot` in crates/igniter-napi/src/native_log/pack.rs
 * (test/packed-fact-layout.test.ts checks that they agree). The text parts follow one another
 * in the fact's text in the order of their lengths here; a length of -1 is a null part.
 */
export const SLOT_SEQ = 0;
export const SLOT_TRANSACTION_TIME = 1;
/** NaN for a null validTime. */
export const SLOT_VALID_TIME = 2;
export const SLOT_SCHEMA_VERSION = 3;
/** Index of the store's name (`NativeLogHandle.storeName`). */
export const SLOT_STORE_INDEX = 4;
export const SLOT_ID_LENGTH = 5;
export const SLOT_VALUE_HASH_LENGTH = 6;
export const SLOT_CAUSATION_LENGTH = 7;
/** -1 when the caller named the key (it is left out of the text). */
export const SLOT_KEY_LENGTH = 8;
export const SLOT_VALUE_LENGTH = 9;
export const SLOT_PRODUCER_LENGTH = 10;
export const SLOT_DERIVATION_LENGTH = 11;
export const SLOT_IDEMPOTENCY_KEY_LENGTH = 12;
/** Numbers per fact in a packed result. */
export const PACKED_FACT_STRIDE = 13;
/** The causation length of a `stage` call that links the fact to its key's latest fact. */
export const CAUSATION_LATEST = -2;
/** Numbers of a `stage` call: times, schema version, commit flag, seven part lengths. */
export const STAGE_NUMBERS = 11;
/**
 * Slot of a `stage` call's frame flag (1: frame the fact into the attached writer); the next
 * slot comes back with the frame's length, or -1 when JS must frame the fact.
 */
export const STAGE_FRAME_FLAG = 11;
/** Numbers per fact of a `loadBatch` call. */
export const LOAD_FACT_STRIDE = 13;
/** Facts per `loadBatch` call. */
export const LOAD_BATCH_FACTS = 1024;
/** Facts per text string of a packed result. */
export const PACKED_FACT_GROUP = 256;

/** The boundary version this build of core speaks. */
export const NATIVE_ABI_VERSION = 6;
