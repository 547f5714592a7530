import { checkInput, type EngineChoice, fieldsOf, IgniterError } from '@igniter/core';
import { checkDurabilityOptions, DEFAULT_MAX_FRAME_BYTES, type Durability } from '@igniter/core/storage';

export type { Durability };

/** Options of a {@link FileBackend}. */
export interface FileBackendOptions {
  /**
   * `'fsync'`: each write is on disk before `writeFact` returns. `'group'` (default): writes
   * are batched and fsynced at least every `groupCommitMs` or `groupCommitBytes`; a crash loses
   * at most that window. `'none'`: each write goes to the OS page cache (survives a process
   * crash, not a power loss).
   */
  durability?: Durability;
  /** Longest time a write waits for its fsync in `'group'` mode, in ms (default 5). */
  groupCommitMs?: number;
  /** Most bytes buffered before an fsync in `'group'` mode (default 4 MiB). */
  groupCommitBytes?: number;
  /**
   * Open a log with a damaged frame in its middle by moving everything from that frame on to
   * `<path>.quarantine-<n>` (default false: such a log fails with `ERR_CORRUPT_LOG`).
   */
  repair?: boolean;
  /** Largest frame body written or read, in bytes (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * The engine of the store this backend will serve, as its `engine` option (default 'auto',
   * which honours `IGNITER_ENGINE`). When that is the native engine, open replays the files in
   * Rust into a log the engine adopts, instead of decoding every fact in JS.
   * `openFileStore` passes the store's choice.
   */
  engine?: EngineChoice;
  /**
   * When an open for the native engine replays at least this many facts from the snapshot
   * and the log (those not mapped from an image), it writes `<path>.image`, an image of them
   * tied to the snapshot and to the log bytes it read, and maps it: the records and indexes
   * become file pages instead of memory, and the next open maps the image and replays only the
   * log after those bytes (default 65,536; 0: never). When the open mapped an image, it writes
   * a new one only once it replayed at least a quarter of the facts that image holds too.
   * The TS engine and followers never write
   * one. Not a checkpoint: the snapshot and the log stay as they are.
   */
  openImageFacts?: number;
}

/** The option keys of a {@link FileBackend}, as `openFileStore` separates them from store options. */
export const FILE_BACKEND_OPTION_KEYS = [
  'durability',
  'groupCommitMs',
  'groupCommitBytes',
  'repair',
  'maxFrameBytes',
  'openImageFacts',
] as const satisfies ReadonlyArray<keyof FileBackendOptions>;

/** Every option a {@link FileBackend} takes (any other field is `ERR_INVALID_ARGUMENT`). */
export const FILE_BACKEND_FIELDS = fieldsOf<FileBackendOptions>({
  durability: true,
  groupCommitMs: true,
  groupCommitBytes: true,
  repair: true,
  maxFrameBytes: true,
  engine: true,
  openImageFacts: true,
});

/** Default of `openImageFacts`: 64Ki facts, 16 MiB of records on the heap (see the README). */
export const DEFAULT_OPEN_IMAGE_FACTS = 65_536;

/** Options with every default filled in. */
export type ResolvedOptions = Required<FileBackendOptions>;

function bad(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function positiveNumber(value: unknown, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw bad(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/** Checks options and fills in defaults. Throws `ERR_INVALID_ARGUMENT` for a bad one. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const o = checkInput<FileBackendOptions>(
    options === undefined ? {} : options,
    'FileBackend options',
    FILE_BACKEND_FIELDS,
  );
  const { durability, repair } = checkDurabilityOptions(o);
  const engine = o.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'native' && engine !== 'ts') {
    throw bad(`engine must be 'auto', 'native' or 'ts'`);
  }
  const maxFrameBytes = positiveNumber(o.maxFrameBytes, 'maxFrameBytes', DEFAULT_MAX_FRAME_BYTES, true);
  if (maxFrameBytes < 64 || maxFrameBytes > 0xffffffff) {
    throw bad('maxFrameBytes must be an integer from 64 to 2^32 - 1');
  }
  return {
    durability,
    groupCommitMs: positiveNumber(o.groupCommitMs, 'groupCommitMs', 5, false),
    groupCommitBytes: positiveNumber(o.groupCommitBytes, 'groupCommitBytes', 4 * 1024 * 1024, true),
    repair,
    maxFrameBytes,
    engine,
    openImageFacts: positiveNumber(o.openImageFacts, 'openImageFacts', DEFAULT_OPEN_IMAGE_FACTS, true),
  };
}
