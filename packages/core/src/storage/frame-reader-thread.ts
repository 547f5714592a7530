import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';

/**
 * A whole-file frame scan split over two threads: a worker thread reads the file into shared
 * memory and checks every frame's length and CRC-32, while the calling thread, a little
 * behind it, hands each checked frame to the caller. Reading and CRC-checking a 290 MiB log
 * costs about as much as indexing its facts, so the two overlap instead of adding up. The
 * worker checks frames only (ARCHITECTURE.md, "The record format"); bodies are the caller's.
 */

/** Slots of the control array shared with the worker. */
const READ = 0; // bytes of the file read so far (relative to `start`)
const CHECKED = 1; // every frame before this relative offset has been checked
const STATE = 2; // RUNNING, DONE or FAILED
const DAMAGE_AT = 3; // relative offset of the damaged frame when DONE with damage
const DAMAGE = 4; // DAMAGE_REASONS index + 1, or 0 for none
const CANCEL = 5; // set by the caller to stop the worker early
const ERRNO = 6; // the failed read's errno (negative) when FAILED, 0 for another failure
const CONTROL_SLOTS = 7;

const RUNNING = 0;
const DONE = 1;
const FAILED = 2;

/** Damage reasons as the worker numbers them (index + 1). */
export const DAMAGE_REASONS = ['incomplete', 'bad-crc', 'too-large', 'empty'] as const;

/** Bytes the worker reads per call, and checks before telling the caller. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Longest wait for the worker's next sign of progress before giving up on it. */
const STALL_MS = 60_000;
const EIO = -5;

// Runs in the worker (CommonJS, eval'd): plain JavaScript, no imports from this package.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { crc32 } = require('node:zlib');
const { fd, data, control, start, length, maxFrameBytes, chunkBytes } = workerData;
const buf = new Uint8Array(data);
const ctl = new Int32Array(control);
const u32 = (at) => ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
function finish(state, damageAt, damage) {
  Atomics.store(ctl, ${DAMAGE_AT}, damageAt);
  Atomics.store(ctl, ${DAMAGE}, damage);
  Atomics.store(ctl, ${STATE}, state);
  Atomics.notify(ctl, ${CHECKED});
}
(function scan() {
try {
  let read = 0;
  let total = length;
  let at = 0;
  for (;;) {
    if (Atomics.load(ctl, ${CANCEL}) !== 0) return finish(${DONE}, at, 0);
    if (read < total) {
      const n = readSync(fd, buf, read, Math.min(chunkBytes, total - read), start + read);
      if (n === 0) total = read; // the file shrank: what is missing is a torn tail
      read += n;
      Atomics.store(ctl, ${READ}, read);
    }
    let damage = 0;
    while (at < total) {
      if (at + 4 > read) { if (read >= total) damage = 1; break; }
      const size = u32(at);
      if (size > maxFrameBytes) { damage = 3; break; }
      const next = at + 8 + size;
      if (next > total) { damage = 1; break; }
      if (next > read) break;
      if (crc32(buf.subarray(at + 4, at + 4 + size)) !== u32(at + 4 + size)) { damage = 2; break; }
      if (size === 0) { damage = 4; break; }
      at = next;
    }
    Atomics.store(ctl, ${CHECKED}, at);
    Atomics.notify(ctl, ${CHECKED});
    if (damage !== 0) return finish(${DONE}, at, damage);
    if (at >= total) return finish(${DONE}, at, 0);
  }
} catch (error) {
  Atomics.store(ctl, ${ERRNO}, error && typeof error.errno === 'number' ? error.errno : 0);
  finish(${FAILED}, 0, 0);
}
})();
`;

/** What {@link scanWithReaderThread} reports: where checked frames stop, and why. */
export interface ThreadScan {
  /** The file's bytes from `start` (shared memory; the caller may keep it). */
  data: Buffer;
  /** Relative offset where the scan stopped (the end of the bytes when nothing is damaged). */
  stoppedAt: number;
  /** Why it stopped early, or null: the bytes ran out, or `onFrame` declined (`rejected`). */
  damage: (typeof DAMAGE_REASONS)[number] | 'rejected' | null;
}

/**
 * Scans the `length` bytes of `fd` from file offset `start` with a reader thread, calling
 * `onFrame(data, bodyStart, bodyEnd)` (offsets relative to `start`) for every intact frame in
 * order until one is damaged or `onFrame` returns false. Returns undefined, having handed
 * over no frame, when no worker thread can be started or it fails before its first frame. Throws the system error of a failed read
 * (`ETIMEDOUT` when the worker stops answering), and what `onFrame` throws (after stopping the
 * worker).
 * Cost: one read and one CRC pass, on the worker; the caller's work on its own thread.
 */
export function scanWithReaderThread(
  fd: number,
  start: number,
  length: number,
  maxFrameBytes: number,
  onFrame: (data: Buffer, bodyStart: number, bodyEnd: number) => boolean,
): ThreadScan | undefined {
  const shared = new SharedArrayBuffer(length);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The source is CommonJS; the parent's flags (`--input-type=module`, say) must not apply.
      execArgv: [],
      workerData: {
        fd,
        data: shared,
        control: control.buffer,
        start,
        length,
        maxFrameBytes,
        chunkBytes: CHUNK_BYTES,
      },
    });
  } catch {
    return undefined;
  }
  worker.unref();
  const data = Buffer.from(shared);
  try {
    let at = 0;
    for (;;) {
      const checked = Atomics.load(control, CHECKED);
      if (at < checked) {
        // Every frame before `checked` is whole and intact.
        const bodyEnd = at + 4 + data.readUInt32BE(at);
        if (!onFrame(data, at + 4, bodyEnd)) return { data, stoppedAt: at, damage: 'rejected' };
        at = bodyEnd + 4;
        continue;
      }
      const state = Atomics.load(control, STATE);
      if (state === FAILED) {
        // Before any frame was handed over the caller can still scan on its own thread.
        if (at === 0) return undefined;
        throw systemError(Atomics.load(control, ERRNO) || EIO, 'read');
      }
      if (state === DONE && Atomics.load(control, CHECKED) === checked) {
        const damage = Atomics.load(control, DAMAGE);
        return { data, stoppedAt: at, damage: damage === 0 ? null : (DAMAGE_REASONS[damage - 1] ?? null) };
      }
      if (
        Atomics.wait(control, CHECKED, checked, STALL_MS) === 'timed-out' &&
        Atomics.load(control, STATE) === RUNNING
      ) {
        throw systemError(-110, `read (no progress for ${STALL_MS / 1000} s)`);
      }
    }
  } finally {
    stopWorker(control);
  }
}

/** An error shaped like Node's system errors (`code`, `errno`, `syscall`). */
function systemError(errno: number, syscall: string): Error {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`${code}: ${syscall} of a data file failed in the frame reader thread`), {
    code,
    errno,
    syscall,
  });
}

/** Tells the worker to stop and waits until it has (it must not read into the buffer later). */
function stopWorker(control: Int32Array): void {
  Atomics.store(control, CANCEL, 1);
  const deadline = Date.now() + STALL_MS;
  while (Atomics.load(control, STATE) === RUNNING && Date.now() < deadline) {
    Atomics.wait(control, CHECKED, Atomics.load(control, CHECKED), 100);
  }
}
