import * as fs from 'node:fs';

/**
 * Writes all of `data` to `fd` at `position` (looping over short writes). Throws the system
 * error of a failed write. Cost: one write(2) per short write, usually one.
 */
export function writeAllSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position + done);
  }
}

/**
 * Reads exactly `length` bytes of `fd` at `position` into `into` at `offset`; returns how many
 * were read (fewer only at end of file). Throws the system error of a failed read.
 */
export function readFullySync(
  fd: number,
  into: Uint8Array,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Makes a rename or create in directory `dir` durable by fsyncing the directory. Platforms that
 * cannot open or fsync a directory (Windows) make it durable with the rename itself, so their
 * EPERM/EISDIR/EINVAL is ignored; any other error is thrown. Cost: one fsync.
 */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
