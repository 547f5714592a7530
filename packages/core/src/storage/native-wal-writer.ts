import { loadNative } from '../engine/engine-choice.js';
import type { NativeWalHandle } from '../engine/native-binding.js';
import type { Fact } from '../fact.js';
import type { Durability, DurabilityStatus } from './group-commit-writer.js';

const DURABILITY_CODES: Record<Durability, number> = { fsync: 0, group: 1, none: 2 };

/** Writers with frames possibly buffered; a normal exit (process.exit included) syncs them. */
const buffering = new Set<NativeWalWriter>();
let exitHookInstalled = false;

function syncAllOnExit(): void {
  for (const writer of buffering) writer.syncOnExit();
}

/** The addon's failure text ("<code>\n<message>") as an error with that `code`. */
function failureError(failure: string): Error {
  const cut = failure.indexOf('\n');
  return Object.assign(new Error(failure.slice(cut + 1)), { code: failure.slice(0, cut) });
}

/** What a file backend opens a {@link NativeWalWriter} with. */
export interface NativeWalOptions {
  /** Offset where the file's frames end. */
  end: number;
  /** Highest seq in the file, all durable. */
  lastSeq: number;
  durability: Durability;
  groupCommitMs: number;
  groupCommitBytes: number;
  maxFrameBytes: number;
}

/**
 * The native write path of a data file (DESIGN D8, D9): a frame writer in Rust that owns the
 * file, the buffer and, in `'group'` mode, a thread that writes and fdatasyncs the buffer once
 * the group-commit window has passed or it is full, so neither the event loop nor a busy
 * writer delays a commit. A native engine attached to it (`Engine.attachWal`) frames each fact
 * it commits in Rust and hands the frame over in the same call; the backend's `writeFact` then
 * only takes note ({@link takeFramed}). Frames encoded in JS (facts the engine left to JS, and
 * writes without a native engine) go through {@link append}. Same modes, file format and
 * failure rules as `GroupCommitWriter`: after a failed write or fsync it refuses everything.
 */
export class NativeWalWriter {
  readonly #wal: NativeWalHandle;
  readonly #durability: Durability;
  readonly #numbers = new Float64Array(6);
  /**
   * The one fact the engine framed and `writeFact` has not taken yet, with its frame length,
   * when no other waits (a single `write`: no array to grow and empty again per write).
   */
  #one: Fact | undefined;
  #oneBytes = 0;
  /** Otherwise the facts framed and not taken yet (then `#one` is unset), in seq order. */
  #framed: Fact[] = [];
  #framedBytes: number[] = [];
  #framedHead = 0;
  #closed = false;

  private constructor(wal: NativeWalHandle, durability: Durability) {
    this.#wal = wal;
    this.#durability = durability;
    if (durability === 'group') {
      buffering.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', syncAllOnExit);
      }
    }
  }

  /**
   * A writer of the data file at `path`, or undefined when the addon does not load. Throws the
   * system error of opening the file. Cost: one open (and a thread in `'group'` mode).
   */
  static open(path: string, options: NativeWalOptions): NativeWalWriter | undefined {
    const load = loadNative();
    if (!load.ok) return undefined;
    const numbers = Float64Array.of(
      options.end,
      options.lastSeq,
      DURABILITY_CODES[options.durability],
      options.groupCommitMs,
      options.groupCommitBytes,
      options.maxFrameBytes,
    );
    return new NativeWalWriter(new load.binding.NativeWal(path, numbers), options.durability);
  }

  /** The addon's handle, for a native log to frame into. */
  get handle(): NativeWalHandle {
    return this.#wal;
  }

  /** Notes that the engine framed and handed over `fact`'s frame of `bytes` bytes. */
  framed(fact: Fact, bytes: number): void {
    const one = this.#one;
    if (one === undefined && this.#framed.length === 0) {
      this.#one = fact;
      this.#oneBytes = bytes;
      return;
    }
    if (one !== undefined) {
      this.#framed.push(one);
      this.#framedBytes.push(this.#oneBytes);
      this.#one = undefined;
    }
    this.#framed.push(fact);
    this.#framedBytes.push(bytes);
  }

  /**
   * The length of `fact`'s frame when the engine already handed it to this writer (it is then
   * forgotten), else -1: the caller frames it. Cost: constant.
   */
  takeFramed(fact: Fact): number {
    const one = this.#one;
    if (one !== undefined) {
      // Nothing else waits. An older fact that never reached `writeFact` is skipped.
      if (one === fact) {
        this.#one = undefined;
        return this.#oneBytes;
      }
      if (one.seq < fact.seq) this.#one = undefined;
      return -1;
    }
    const framed = this.#framed;
    let head = this.#framedHead;
    // Entries of facts that never reached `writeFact` (a failed commit) are skipped.
    while (head < framed.length && (framed[head] as Fact).seq < fact.seq) head++;
    let bytes = -1;
    if (framed[head] === fact) {
      bytes = this.#framedBytes[head] as number;
      head++;
    }
    if (head >= framed.length) {
      framed.length = 0;
      this.#framedBytes.length = 0;
      head = 0;
    }
    this.#framedHead = head;
    return bytes;
  }

  /** Size of the file once everything handed over is written. */
  get size(): number {
    return this.#status()[4] as number;
  }

  /** Where the writes stand. */
  status(): DurabilityStatus {
    const [pendingBytes = 0, lastSeq = 0, durableSeq = 0, syncs = 0] = this.#status();
    return { durability: this.#durability, pendingBytes, lastSeq, durableSeq, syncs };
  }

  /**
   * Appends one frame encoded in JS holding the fact `seq`. Throws as `GroupCommitWriter.append`
   * does (the writer's failure has a system error `code`). Cost: as that, in Rust.
   */
  append(frame: Buffer, seq: number): void {
    this.#wal.append(frame, seq);
  }

  /** Resolves when every appended frame is on disk; rejects after a failure. */
  async flush(): Promise<void> {
    this.#checkOpen();
    const failure = await this.#wal.flush();
    if (failure !== '') throw failureError(failure);
  }

  /** Writes buffered frames to the OS (no fsync), so that a reader of the file sees them. */
  flushToOs(): void {
    this.#checkOpen();
    this.#wal.writeToOs();
  }

  /** {@link flush}, blocking. */
  flushSync(): void {
    this.#checkOpen();
    this.#wal.sync();
  }

  /** Refuses later appends, flushes, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    // After a failure there is nothing more to flush (as with `GroupCommitWriter`).
    const failedBefore = this.#status()[5] === 1;
    this.#wal.seal();
    try {
      const failure = failedBefore ? '' : await this.#wal.flush();
      if (failure !== '') throw failureError(failure);
    } finally {
      this.#shut();
    }
  }

  /** {@link close}, blocking. Idempotent. */
  closeSync(): void {
    if (this.#closed) return;
    const failedBefore = this.#status()[5] === 1;
    this.#wal.seal();
    try {
      if (!failedBefore) this.#wal.sync();
    } finally {
      this.#shut();
    }
  }

  /** Closes the file dropping buffered frames (it was replaced by one that holds them). */
  discard(): void {
    if (this.#closed) return;
    this.#shut();
  }

  /**
   * Switches to the data file at `path`, which a rewrite just made: its frames end at `end`
   * and hold seqs up to `lastSeq`, all durable. A native log attached to this writer stays
   * attached. Throws the system error of opening it (the writer then refuses everything).
   */
  reopen(path: string, end: number, lastSeq: number): void {
    this.#one = undefined;
    this.#framed.length = 0;
    this.#framedBytes.length = 0;
    this.#framedHead = 0;
    this.#wal.reopen(path, end, lastSeq);
  }

  /** Syncs buffered frames as the process exits normally. Never throws. */
  syncOnExit(): void {
    if (this.#closed || !this.#wal.hasPending()) return;
    try {
      this.#wal.sync();
    } catch {
      // Nothing can be reported from an exit handler; the torn tail is recovered on open.
    }
  }

  #status(): Float64Array {
    this.#wal.status(this.#numbers);
    return this.#numbers;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the frame writer is closed');
  }

  #shut(): void {
    this.#closed = true;
    buffering.delete(this);
    this.#wal.shut();
  }
}
