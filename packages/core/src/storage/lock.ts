import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { IgniterError } from '../errors.js';
import { canonicalPath, type IdentityLock, identityKey, lockFileIdentity } from './file-identity.js';

/** What a lock file records about its owner. */
interface LockOwner {
  pid: number;
  /** Process start time (Linux clock ticks since boot) to tell a live owner from a reused pid. */
  startTime: string | null;
  host: string;
  token: string;
}

/** A held single-writer lock; {@link release} gives it up. */
export interface WriterLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Moves the lock's hold on the data file's identity to the file now at its path, after the
   * holder created it or replaced it (a rename over it). Throws `ERR_LOCKED` when another
   * opener holds that file, and the system error of a failed open. Cost: open, fstat, flock.
   */
  cover(): void;
  /** Gives up the lock (removes the lock file if it is still ours). Idempotent; never throws. */
  release(): void;
}

/** Options of {@link acquireWriterLock}. */
export interface WriterLockOptions {
  /**
   * The file or directory whose identity (device and inode) the lock covers, when it is not
   * the target itself (a segmented store locks its directory). Default: the target.
   */
  identity?: string;
}

// The locks this copy of core holds. Another copy in the process (the other module system, or a
// worker) meets the lock file instead, whose owner (this live process) is not stale.
const registry = new Set<string>();

let ownStartTime: string | null | undefined;

/** What /proc says of a process (Linux): its state letter and start time, or null elsewhere. */
function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return null;
  }
}

function ownerOfThisProcess(): LockOwner {
  ownStartTime ??= procStat(process.pid)?.startTime ?? null;
  return {
    pid: process.pid,
    startTime: ownStartTime,
    host: hostname(),
    token: randomBytes(12).toString('hex'),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the owner recorded in a lock file certainly no longer runs. */
function isStale(owner: LockOwner | undefined): boolean {
  if (owner === undefined) return false;
  // Another host's process cannot be checked from here.
  if (owner.host !== hostname()) return false;
  if (!isAlive(owner.pid)) return true;
  if (owner.pid === process.pid) {
    return owner.startTime !== null && ownStartTime != null && owner.startTime !== ownStartTime;
  }
  const stat = procStat(owner.pid);
  if (stat === null) return false;
  // A zombie has exited (its parent has not reaped it yet); another start time is pid reuse.
  return (
    stat.state === 'Z' ||
    stat.state === 'X' ||
    (owner.startTime !== null && stat.startTime !== owner.startTime)
  );
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof parsed.pid !== 'number' ||
      typeof parsed.token !== 'string' ||
      typeof parsed.host !== 'string'
    ) {
      return undefined;
    }
    return { pid: parsed.pid, startTime: parsed.startTime ?? null, host: parsed.host, token: parsed.token };
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function locked(target: string, why: string, lockPath?: string): IgniterError {
  return new IgniterError('ERR_LOCKED', `${target} is already open for writing ${why}`, {
    details: lockPath === undefined ? { path: target } : { path: target, lockFile: lockPath },
  });
}

/** `ERR_LOCKED` for a lock file that cannot be read or parsed, saying how to clear it safely. */
function unreadableLock(target: string, lockPath: string, cause?: unknown): IgniterError {
  return new IgniterError(
    'ERR_LOCKED',
    `${target} may be open for writing: its lock file ${lockPath} cannot be read${
      cause instanceof Error ? ` (${cause.message})` : ''
    }. If no process has the store open (stop every program using it; \`fuser ${target}\` or ` +
      `\`lsof ${target}\` lists none), delete ${lockPath} and open again. Never delete it while a ` +
      'writer runs: two writers would corrupt the log.',
    { details: { path: target, lockFile: lockPath }, cause },
  );
}

/** Publishes a complete lock file at `lockPath` or fails with EEXIST (link(2) is atomic). */
function tryCreate(lockPath: string, owner: LockOwner): boolean {
  const staging = `${lockPath}.${owner.token}`;
  fs.writeFileSync(staging, JSON.stringify(owner), { flag: 'wx' });
  try {
    fs.linkSync(staging, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(staging, { force: true });
  }
}

/** Moves a stale lock aside, checking that what moved is the stale one; false if it was not. */
function breakStale(lockPath: string, staleText: string, token: string): boolean {
  const aside = `${lockPath}.stale-${token}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  if (readText(aside) === staleText) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // A live owner took the lock between our read and our rename: give it back.
  try {
    fs.linkSync(aside, lockPath);
  } catch {
    // Someone else holds the lock now; either way it is not ours.
  }
  fs.rmSync(aside, { force: true });
  return false;
}

/**
 * Takes the single-writer lock of the data file `target` (ARCHITECTURE.md D8). The lock covers the file
 * itself, not the path that named it: the lock file `<target>.lock` sits next to the canonical
 * path (symlinks and `..` resolved, so every spelling finds the same lock file) and records the
 * owner's pid, process start time and host; and the file's identity (device and inode, of
 * `options.identity` when given) is held by an exclusive flock(2) through the native addon and
 * an in-process registry (of this copy of core; another copy meets the flock and the lock file), so a hard link is caught too, in this process or another. A lock file
 * whose owner died (or whose pid now belongs to another process) is taken over.
 * Throws `ERR_LOCKED` while another store in this or another process holds it, or when the lock
 * file cannot be read (the message says how to clear it safely), and the system error when the
 * lock file cannot be written. Cost: a few small file operations.
 */
export function acquireWriterLock(target: string, options: WriterLockOptions = {}): WriterLock {
  const key = canonicalPath(target);
  if (registry.has(key)) throw locked(target, 'by another store in this process');
  const identityPath = options.identity === undefined ? key : canonicalPath(options.identity);
  const existing = fs.statSync(identityPath, { throwIfNoEntry: false });
  if (existing && registry.has(`id:${identityKey(existing)}`)) {
    throw locked(target, 'by another store in this process, through another path to the same file');
  }
  const lockPath = `${key}.lock`;
  const owner = ownerOfThisProcess();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath, owner)) {
      const handle = lockHandle(key, lockPath, owner.token, identityPath, target);
      try {
        handle.cover();
      } catch (error) {
        handle.release();
        throw error;
      }
      return handle;
    }
    let text: string | undefined;
    try {
      text = readText(lockPath);
    } catch (error) {
      throw unreadableLock(target, lockPath, error);
    }
    if (text === undefined) continue;
    const holder = parseOwner(text);
    if (!holder) throw unreadableLock(target, lockPath);
    if (!isStale(holder)) {
      const who = `by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`;
      throw locked(target, `${who}; lock file ${lockPath}`, lockPath);
    }
    if (!breakStale(lockPath, text, owner.token)) throw locked(target, `(lock file ${lockPath})`, lockPath);
  }
  throw locked(target, `(the lock file ${lockPath} keeps changing)`, lockPath);
}

function lockHandle(
  key: string,
  lockPath: string,
  token: string,
  identityPath: string,
  target: string,
): WriterLock {
  let held = true;
  let identity: IdentityLock | undefined;
  registry.add(key);
  return {
    path: lockPath,
    cover(): void {
      const now = fs.statSync(identityPath, { throwIfNoEntry: false });
      if (!now || identityKey(now) === identity?.key) return;
      if (registry.has(`id:${identityKey(now)}`)) {
        throw locked(target, 'by another store in this process, through another path to the same file');
      }
      const taken = lockFileIdentity(identityPath);
      if ('missing' in taken) return;
      if ('busy' in taken) {
        throw locked(
          target,
          `by another process, through another path to the same file (a hard link or mount); lock file ${lockPath}`,
          lockPath,
        );
      }
      const next = taken.held;
      if (identity) {
        registry.delete(`id:${identity.key}`);
        identity.release();
      }
      identity = next;
      registry.add(`id:${next.key}`);
    },
    release(): void {
      if (!held) return;
      held = false;
      registry.delete(key);
      if (identity) {
        registry.delete(`id:${identity.key}`);
        identity.release();
      }
      try {
        if (parseOwner(readText(lockPath) ?? '')?.token === token) fs.rmSync(lockPath, { force: true });
      } catch {
        // A lock file we cannot remove is stale once this process exits.
      }
    },
  };
}
