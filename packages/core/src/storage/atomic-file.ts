import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory, writeAllSync } from './io.js';

const TEMP_MARK = '.tmp-';
const STAGE_BYTES = 1024 * 1024;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the complete new
 * one: the bytes go to `<target>.tmp-<pid>-<random>`, which is fsynced, renamed over the target,
 * and the directory is fsynced. Writes are staged in 1 MiB blocks.
 */
export class AtomicFileWriter {
  /** Where the bytes go until {@link commit}. */
  readonly tempPath: string;
  private fd: number | undefined;
  private readonly stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  private position = 0;

  /**
   * Creates the temp file next to `target`. Throws the system error when it cannot.
   * Cost: one open(2).
   */
  constructor(readonly target: string) {
    this.tempPath = tempPathFor(target);
    this.fd = fs.openSync(this.tempPath, 'wx');
  }

  /** Bytes written so far (staged or not). */
  get size(): number {
    return this.position + this.staged;
  }

  /** Appends `bytes`. Throws the system error of a failed write (then call {@link abort}). */
  write(bytes: Uint8Array): void {
    if (bytes.length > STAGE_BYTES - this.staged) {
      this.drain();
      if (bytes.length > STAGE_BYTES) {
        writeAllSync(this.openFd(), bytes, this.position);
        this.position += bytes.length;
        return;
      }
    }
    this.stage.set(bytes, this.staged);
    this.staged += bytes.length;
  }

  /**
   * Makes the new file durable and puts it in place of the target. Throws the system error of
   * a failed write, fsync or rename, after removing the temp file. Cost: one fsync of the
   * file and one of the directory.
   */
  commit(): void {
    try {
      this.drain();
      const fd = this.openFd();
      fs.fsyncSync(fd);
      this.fd = undefined;
      fs.closeSync(fd);
      fs.renameSync(this.tempPath, this.target);
    } catch (error) {
      this.abort();
      throw error;
    }
    fsyncDirectory(dirname(this.target));
  }

  /** Closes and removes the temp file, leaving the target as it was. Never throws. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // The temp file is discarded whatever state its descriptor is in.
      }
      this.fd = undefined;
    }
    fs.rmSync(this.tempPath, { force: true });
  }

  private drain(): void {
    if (this.staged === 0) return;
    writeAllSync(this.openFd(), this.stage.subarray(0, this.staged), this.position);
    this.position += this.staged;
    this.staged = 0;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`${this.tempPath} is already closed`);
    return this.fd;
  }
}

/**
 * A fresh temp file name next to `target` (`<target>.tmp-<pid>-<random>`), the kind
 * {@link removeStaleTempFiles} removes: for a writer that fills it asynchronously, then fsyncs
 * and renames it over `target` as {@link AtomicFileWriter.commit} does.
 */
export function tempPathFor(target: string): string {
  return `${target}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Removes the temp files that {@link AtomicFileWriter} leaves when a process dies mid-write
 * (`<target>.tmp-*`); call it only while holding the target's lock. Returns the removed paths.
 * Throws the system error of a failed directory read. Cost: one directory listing.
 */
export function removeStaleTempFiles(target: string): string[] {
  const dir = dirname(target);
  const prefix = `${basename(target)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    fs.rmSync(path, { force: true });
    removed.push(path);
  }
  return removed;
}
