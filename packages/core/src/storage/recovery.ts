import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CutReason, RecoveredCut } from '../backend.js';
import { IgniterError } from '../errors.js';
import type { FrameScan } from './frame-file.js';
import { announceCut, copyRangeTo, keepCutBytes } from './recovered-cut.js';

/**
 * `ERR_CORRUPT_LOG` for a damaged frame at `offset` of `file` that is not a torn tail; the
 * message names the file and the byte offset, and says how to repair when `repairable`.
 * Never throws (returns the error). Cost: constant.
 */
export function corruptLog(
  file: string,
  offset: number,
  why: string,
  cause?: unknown,
  repairable = true,
): IgniterError {
  const hint = repairable
    ? '; open with { repair: true } to move it and everything after it to a quarantine file'
    : '';
  return new IgniterError('ERR_CORRUPT_LOG', `${file}: damaged frame at byte ${offset} (${why})${hint}`, {
    details: { file, offset, reason: why },
    cause,
  });
}

/**
 * `ERR_CORRUPT_LOG` for a data file that is inconsistent as a whole (not at one frame).
 * Never throws (returns the error). Cost: constant.
 */
export function inconsistentLog(file: string, why: string, offset?: number): IgniterError {
  return new IgniterError('ERR_CORRUPT_LOG', `${file}: ${why}`, {
    details: offset === undefined ? { file } : { file, offset },
  });
}

function nextQuarantinePath(path: string): string {
  const prefix = `${basename(path)}.quarantine-`;
  let highest = 0;
  for (const name of fs.readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const n = Number(name.slice(prefix.length));
    if (Number.isSafeInteger(n) && n > highest) highest = n;
  }
  return join(dirname(path), `${prefix}${highest + 1}`);
}

/**
 * Copies bytes `[from, size)` of `fd` (the file at `path`) crash-safely to a new
 * `<path>.quarantine-<n>` and returns its path. Throws the system error of a failed read or
 * write (no quarantine file is left then). Cost: one copy of the range, two fsyncs.
 */
export function quarantineRange(fd: number, path: string, from: number, size: number): string {
  const target = nextQuarantinePath(path);
  copyRangeTo(fd, from, size, target);
  return target;
}

/** What {@link settleFrameDamage} did to the file. */
export interface SettledDamage {
  /** Offset just past the last intact frame: where the next frame goes. */
  end: number;
  /** Bytes removed from the end of the file (torn tail, plus anything quarantined). */
  removedBytes: number;
  /** The quarantine file written, if any. */
  quarantined: string | null;
  /** What was cut and where its bytes are kept (null when nothing was cut). */
  recovered: RecoveredCut | null;
}

/**
 * Applies the recovery rules of ARCHITECTURE.md D8 to an appendable frame file after a
 * {@link scanFrameFile} of it: a damaged tail (no intact frame after the damage: a torn write,
 * or a last frame that fails its CRC) is cut, and a damaged frame followed by intact ones is
 * `ERR_CORRUPT_LOG` naming the file and offset, or with `repair` is cut with everything after
 * it. Nothing is cut silently: the bytes are first copied to a side file (`<path>.recovered-<ms>`
 * for a tail, `<path>.quarantine-<n>` for a repair) and the `IGNITER_RECOVERED` warning is
 * emitted; the cut is returned in `recovered`. `problem` is the decode error that stopped the
 * scan, if any; `lastIntactSeq` the seq of the last fact kept. Throws `ERR_CORRUPT_LOG` and the
 * system error of a failed copy, truncate or fsync (nothing is cut when the copy fails).
 * Cost: nothing without damage; else one copy of the cut bytes, three fsyncs.
 */
export function settleFrameDamage(
  fd: number,
  path: string,
  scan: FrameScan,
  problem: { why: string; cause?: unknown } | undefined,
  repair: boolean,
  lastIntactSeq = 0,
): SettledDamage {
  const { damage } = scan;
  if (!damage) return { end: scan.end, removedBytes: 0, quarantined: null, recovered: null };
  let quarantined: string | null = null;
  let recovered: RecoveredCut;
  if (damage.nextFrameAt !== null) {
    if (!repair) throw corruptLog(path, damage.offset, problem?.why ?? damage.reason, problem?.cause);
    quarantined = quarantineRange(fd, path, damage.offset, scan.size);
    recovered = announceCut({
      file: path,
      offset: damage.offset,
      bytes: scan.size - damage.offset,
      sideFile: quarantined,
      lastIntactSeq,
      reason: 'repair',
    });
  } else {
    const reason: CutReason = damage.reason === 'rejected' ? 'bad-crc' : damage.reason;
    recovered = keepCutBytes(fd, path, damage.offset, scan.size, lastIntactSeq, reason);
  }
  fs.ftruncateSync(fd, damage.offset);
  fs.fsyncSync(fd);
  return { end: damage.offset, removedBytes: scan.size - damage.offset, quarantined, recovered };
}
