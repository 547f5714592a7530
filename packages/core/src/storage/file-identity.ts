import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadNative } from '../engine/engine-choice.js';

/** Most symlinks followed when resolving a path (as the kernel's ELOOP limit). */
const MAX_SYMLINK_HOPS = 40;

/**
 * `target` made absolute with every symlink resolved, its last component included, also when
 * that component (or what a symlink names) does not exist yet: two spellings of one location
 * give one string. Throws the system error of a missing directory or a symlink loop.
 * Cost: one realpath(3) plus an lstat(2) per symlink hop.
 */
export function canonicalPath(target: string): string {
  let path = join(fs.realpathSync(dirname(resolve(target))), basename(target));
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    const stat = fs.lstatSync(path, { throwIfNoEntry: false });
    if (!stat?.isSymbolicLink()) return path;
    const next = resolve(dirname(path), fs.readlinkSync(path));
    path = join(fs.realpathSync(dirname(next)), basename(next));
  }
  throw Object.assign(new Error(`too many symbolic links resolving ${target}`), { code: 'ELOOP' });
}

/** `dev:ino` of a file: the same for every path that reaches it. */
export function identityKey(stat: fs.Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

/**
 * Takes an exclusive non-blocking flock on `fd` through the native addon: true when held, false
 * when another open description holds it, undefined when there is no kernel lock to take here
 * (the addon did not load, predates `tryLockFile`, or the platform has no flock).
 */
function kernelLock(fd: number): boolean | undefined {
  const binding = loadNative();
  const tryLock = binding.ok ? binding.binding.tryLockFile : undefined;
  if (!tryLock) return undefined;
  try {
    return tryLock(fd);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_UNSUPPORTED_PLATFORM') return undefined;
    throw error;
  }
}

/** A kernel lock on one file (see {@link lockFileIdentity}). */
export interface IdentityLock {
  /** `dev:ino` of the locked file. */
  readonly key: string;
  /** Closes the descriptor, which releases the kernel lock. Never throws. */
  release(): void;
}

/** What {@link lockFileIdentity} found. */
export type IdentityLockResult =
  | { held: IdentityLock }
  /** Another open description of the file holds the lock (in this or another process). */
  | { busy: string }
  /** The file does not exist. */
  | { missing: true };

/**
 * Takes an exclusive `flock(2)` on the file (or directory) at `path` through a descriptor of
 * its own, so it covers the file's identity whatever path reached it, and the kernel drops it
 * when the process dies. Without the native addon (no flock from Node) the lock is the
 * in-process registry alone: `held` with nothing taken. Retries when the path is replaced
 * between open and lock. Throws the system error of a failed open. Cost: open, fstat, flock.
 */
export function lockFileIdentity(path: string): IdentityLockResult {
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
      throw error;
    }
    let kept = false;
    try {
      const key = identityKey(fs.fstatSync(fd));
      const locked = kernelLock(fd);
      if (locked === false) return { busy: key };
      // Replaced (renamed over) between open and lock: lock what the path names now.
      const now = fs.statSync(path, { throwIfNoEntry: false });
      if ((!now || identityKey(now) !== key) && attempt < 5) continue;
      kept = locked === true;
      const held = kept ? fd : -1;
      let open = kept;
      return {
        held: {
          key,
          release(): void {
            if (!open) return;
            open = false;
            try {
              fs.closeSync(held);
            } catch {
              // Already closed: the lock went with it.
            }
          },
        },
      };
    } finally {
      if (!kept) fs.closeSync(fd);
    }
  }
}
