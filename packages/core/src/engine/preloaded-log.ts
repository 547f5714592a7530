import { fromNativeError, IgniterError } from '../errors.js';
import { type EngineChoice, loadNative, resolveChoice } from './engine-choice.js';
import {
  type NativeBinding,
  type NativeCopyLoad,
  type NativeCopyOutEnd,
  type NativeImageOpen,
  type NativeLogHandle,
  type NativeReplayResult,
  REPLAY_NUMBERS,
} from './native-binding.js';
import type { NativePreload } from './types.js';

/** What {@link PreloadedLog.replayFile} reads. */
export interface ReplayFileOptions {
  /** Offset of the first frame. */
  start: number;
  /** Largest frame body accepted. */
  maxFrameBytes: number;
  /** Read only the first frame and return its body as `meta`. */
  metaOnly?: boolean;
  /** Every fact's seq must be above this and above the previous one (default 0). */
  afterSeq?: number;
  /** Every fact's seq must be at most this (default: no bound). */
  maxSeq?: number;
  /** Facts up to this seq are checked but not loaded (default 0). */
  skipThrough?: number;
}

/**
 * A binary COPY of the PostgreSQL backend's fact columns loading into a {@link PreloadedLog} on
 * a worker thread, fed the connection's bytes as they arrive (see `PreloadedLog.startCopyLoad`).
 */
export interface CopyOutLoad {
  /**
   * Takes the next bytes off the connection, PostgreSQL's messages with their framing, from the
   * moment the COPY's query is sent; the worker parses and loads the rows in them. Returns null
   * while the COPY goes on, else where its messages ended: `carried`, then the bytes from `at`
   * on, belong to the driver again (`done` false: an error message ended the COPY). Cost: one
   * copy of the row bytes on the calling thread.
   */
  push(bytes: Uint8Array): NativeCopyOutEnd | null;
  /**
   * Waits for the worker to load every row it was given and gives the log back; returns what
   * was loaded. Throws `ERR_CORRUPT_LOG` for a COPY that did not end (trailer and `CopyDone`),
   * bytes that are not a COPY of the fact columns or a seq that does not increase,
   * `ERR_INVALID_VALUE` for JSON that is not an Igniter value (the facts before the bad row
   * stay). Call once.
   */
  finish(): NativeCopyLoad;
}

const owned = new WeakMap<PreloadedLog, { binding: NativeBinding; handle: NativeLogHandle | undefined }>();

/**
 * A native fact log filled from data files before the store that uses it exists: a file
 * backend replays its files into one at open (frames read, CRC-checked and parsed in Rust,
 * no fact crossing into JS), and a native engine adopts it instead of loading facts one by one
 * (ARCHITECTURE.md D8, D9). Opaque outside core.
 */
export class PreloadedLog implements NativePreload {
  readonly engine = 'native' as const;

  private constructor(binding: NativeBinding) {
    owned.set(this, { binding, handle: new binding.NativeLog(Number.POSITIVE_INFINITY) });
  }

  /**
   * A new, empty log when the engine `engine` resolves to (`IGNITER_ENGINE` included for
   * 'auto') would be the native one and the addon loads; else undefined. Throws
   * `ERR_INVALID_ARGUMENT` for a bad `IGNITER_ENGINE`. Cost: loads the addon once per process.
   */
  static forEngine(engine: EngineChoice = 'auto'): PreloadedLog | undefined {
    if (resolveChoice(engine).choice === 'ts') return undefined;
    const load = loadNative();
    return load.ok ? new PreloadedLog(load.binding) : undefined;
  }

  /**
   * Replays the frames of the data file at `path` into this log (see `replayFile` of
   * `@igniter/native`): facts load up to the first frame that is damaged or that the native
   * reader leaves to the JS decoder (`stop: 'unsupported'`). Throws `ERR_CLOSED` once an engine
   * has taken the log. Cost: one read, CRC pass and parse of the file.
   */
  replayFile(path: string, options: ReplayFileOptions): NativeReplayResult {
    const numbers = new Float64Array(REPLAY_NUMBERS);
    numbers[0] = options.start;
    numbers[1] = options.maxFrameBytes;
    numbers[2] = options.metaOnly ? 1 : 0;
    numbers[3] = options.afterSeq ?? 0;
    numbers[4] = options.maxSeq ?? Number.POSITIVE_INFINITY;
    numbers[5] = options.skipThrough ?? 0;
    return handleOf(this).replayFile(path, numbers);
  }

  /**
   * Loads the checkpoint image at `imagePath` into this empty log when it is intact and tied to
   * the snapshot at `snapshotPath` (whose metadata record declares `lastSeq` and `factCount`;
   * `''` for no snapshot); with `logPath`, also an image an open wrote, tied to the first bytes
   * of that log as well (`logEnd` says where they end). Else leaves the log unchanged and says
   * why (`opened: false`). Never throws but `ERR_CLOSED`.
   * Cost: a map of the image, one CRC pass over it.
   */
  openImage(
    imagePath: string,
    snapshotPath: string,
    lastSeq: number,
    factCount: number,
    logPath?: string,
  ): NativeImageOpen {
    const handle = handleOf(this);
    if (typeof handle.openImage !== 'function') {
      return {
        opened: false,
        reason: 'the native addon predates images',
        loaded: 0,
        maxSeq: 0,
        tallyStores: [],
        tallyFacts: [],
        tallyBytes: [],
      };
    }
    const numbers = Float64Array.of(lastSeq, factCount);
    return logPath === undefined
      ? handle.openImage(imagePath, snapshotPath, numbers)
      : handle.openImage(imagePath, snapshotPath, numbers, logPath);
  }

  /**
   * Writes this log, just replayed from the snapshot at `snapshotPath` (`''`: none; `numbers`:
   * the log's end offset, the snapshot's lastSeq and factCount) and the log at `logPath` up to
   * that offset, as an image at `imagePath` (through `tempPath`), and reopens it from there
   * (see `writeImage` of `@igniter/native`). Returns `''` once done, else why not (the log is
   * unchanged). Never throws but `ERR_CLOSED`. Cost: one write of the log's state.
   */
  writeImage(
    paths: { imagePath: string; tempPath: string; logPath: string; snapshotPath: string },
    numbers: Float64Array,
    tallyStores: string[],
    tallyNumbers: Float64Array,
  ): string {
    const handle = handleOf(this);
    if (typeof handle.writeImage !== 'function') return 'the native addon predates open images';
    const { imagePath, tempPath, logPath, snapshotPath } = paths;
    return handle.writeImage(imagePath, tempPath, logPath, snapshotPath, numbers, tallyStores, tallyNumbers);
  }

  /**
   * Loads facts given in the boundary's batch layout (see {@link PreloadedFactLoader}, which
   * builds it). Throws `ERR_CORRUPT_LOG` for a seq that does not increase, `ERR_INVALID_VALUE`
   * for JSON that is not an Igniter value (the facts before it stay), `ERR_CLOSED` once an engine
   * has taken the log. Cost: one boundary crossing; the value JSON is parsed in Rust.
   */
  loadBatch(text: string, numbers: Float64Array): void {
    try {
      handleOf(this).loadBatch(text, numbers);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  /**
   * Loads the whole rows at the start of `bytes`, a piece of a binary
   * `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)` of the PostgreSQL backend's fact
   * table (`header`: `bytes` starts with the COPY header), parsed in Rust with no JS string per
   * row; values already canonical are stored as they are. The bytes after `consumed` go to the
   * next call, completed. Undefined when the addon predates this call. Throws `ERR_CORRUPT_LOG`
   * for bytes that are not such a COPY or a seq that does not increase, `ERR_INVALID_VALUE` for
   * JSON that is not an Igniter value (the facts before the bad row stay), `ERR_CLOSED` once an
   * engine has taken the log. Cost: one boundary crossing and one pass over the bytes.
   */
  loadCopyRows(bytes: Uint8Array, header: boolean): NativeCopyLoad | undefined {
    const handle = handleOf(this);
    if (typeof handle.loadCopy !== 'function') return undefined;
    try {
      return handle.loadCopy(bytes, header);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  /**
   * Starts loading a binary `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)` of the
   * PostgreSQL backend's fact table straight off the wire, parsed and inserted on a worker
   * thread while the rows still arrive (see {@link CopyOutLoad}); values already canonical are
   * stored as they are. Until `finish()` the log belongs to the worker. Undefined when the addon
   * predates this call. Throws `ERR_CLOSED` once an engine has taken the log.
   */
  startCopyLoad(): CopyOutLoad | undefined {
    const handle = handleOf(this);
    if (typeof handle.copyBegin !== 'function') return undefined;
    handle.copyBegin();
    return {
      push: (bytes) => (handle.copyPush as NonNullable<NativeLogHandle['copyPush']>).call(handle, bytes),
      finish: () => {
        try {
          return (handle.copyFinish as NonNullable<NativeLogHandle['copyFinish']>).call(handle);
        } catch (error) {
          throw fromNativeError(error);
        }
      },
    };
  }
}

function handleOf(log: PreloadedLog): NativeLogHandle {
  const handle = owned.get(log)?.handle;
  if (!handle) throw new IgniterError('ERR_CLOSED', 'this preloaded log was taken by an engine');
  return handle;
}

/**
 * The log's native handle for an engine running on `binding`, once; undefined when it was
 * taken already or belongs to another addon instance.
 */
export function takePreloadedHandle(log: PreloadedLog, binding: NativeBinding): NativeLogHandle | undefined {
  const entry = owned.get(log);
  if (!entry || entry.binding !== binding || !entry.handle) return undefined;
  const { handle } = entry;
  entry.handle = undefined;
  return handle;
}
