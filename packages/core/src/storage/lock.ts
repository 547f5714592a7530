import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { IgniterError } from '../errors.js';

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
  /** Gives up the lock (removes the lock file if it is still ours). Idempotent; never throws. */
  release(): void;
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

function locked(target: string, why: string): IgniterError {
  return new IgniterError('ERR_LOCKED', `${target} is already open for writing ${why}`, {
    details: { path: target },
  });
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
 * Takes the single-writer lock of the data file `target` (ARCHITECTURE.md D8): an in-process registry
 * plus the lock file `<target>.lock` holding the owner's pid, process start time and host. A
 * lock whose owner died (or whose pid now belongs to another process) is taken over.
 * Throws `ERR_LOCKED` while another store in this or another process holds it, and the system
 * error when the lock file cannot be written. Cost: a few small file operations.
 */
export function acquireWriterLock(target: string): WriterLock {
  const key = join(fs.realpathSync(dirname(resolve(target))), basename(target));
  if (registry.has(key)) throw locked(target, 'by another store in this process');
  const lockPath = `${key}.lock`;
  const owner = ownerOfThisProcess();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath, owner)) {
      registry.add(key);
      return lockHandle(key, lockPath, owner.token);
    }
    const text = readText(lockPath);
    if (text === undefined) continue;
    const holder = parseOwner(text);
    if (!isStale(holder)) {
      const who = holder
        ? `by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`
        : '(unreadable lock file)';
      throw locked(target, `${who}; lock file ${lockPath}`);
    }
    if (!breakStale(lockPath, text, owner.token)) throw locked(target, `(lock file ${lockPath})`);
  }
  throw locked(target, `(the lock file ${lockPath} keeps changing)`);
}

function lockHandle(key: string, lockPath: string, token: string): WriterLock {
  let held = true;
  return {
    path: lockPath,
    release(): void {
      if (!held) return;
      held = false;
      registry.delete(key);
      try {
        if (parseOwner(readText(lockPath) ?? '')?.token === token) fs.rmSync(lockPath, { force: true });
      } catch {
        // A lock file we cannot remove is stale once this process exits.
      }
    },
  };
}
