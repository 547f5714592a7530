import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractFact, thrown, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

const temp = useTempDir('igniter-file-');

/** A log with one fact, closed, at `<temp>/data/app.log`. */
async function existingLog(): Promise<string> {
  mkdirSync(join(temp.dir(), 'data'));
  const path = join(temp.dir(), 'data', 'app.log');
  const backend = new FileBackend(path, { durability: 'fsync' });
  backend.writeFact(contractFact(1));
  await backend.close();
  return path;
}

describe('the writer lock covers the file, not the path, in one process', () => {
  it('a hard link to an open log is ERR_LOCKED', async () => {
    const path = await existingLog();
    linkSync(path, join(temp.dir(), 'alias.log'));
    temp.track(new FileBackend(path));
    const error = thrown(() => new FileBackend(join(temp.dir(), 'alias.log')));
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.message).toContain('through another path to the same file');
  });

  it('a symlink to an open log is ERR_LOCKED, and a symlink opens the log it names', async () => {
    const path = await existingLog();
    symlinkSync(path, join(temp.dir(), 'link.log'));
    const first = new FileBackend(join(temp.dir(), 'link.log'));
    expect(first.path).toBe(path);
    expect(thrown(() => new FileBackend(path)).code).toBe('ERR_LOCKED');
    await first.close();
  });

  it('a checkpoint replaces the log, and the lock follows it to the new file', async () => {
    const path = await existingLog();
    const backend = temp.track(new FileBackend(path));
    backend.writeSnapshot([contractFact(1)], { lastSeq: 1 });
    linkSync(path, join(temp.dir(), 'after-checkpoint.log'));
    expect(thrown(() => new FileBackend(join(temp.dir(), 'after-checkpoint.log'))).code).toBe('ERR_LOCKED');
  });

  it('a symlink to a log that does not exist yet shares the lock of the path it names', () => {
    mkdirSync(join(temp.dir(), 'data'));
    symlinkSync(join(temp.dir(), 'data', 'new.log'), join(temp.dir(), 'dangling.log'));
    temp.track(new FileBackend(join(temp.dir(), 'data', 'new.log')));
    expect(thrown(() => new FileBackend(join(temp.dir(), 'dangling.log'))).code).toBe('ERR_LOCKED');
  });
});

describe('the writer lock covers the file across processes', () => {
  beforeAll(assertBuilt);

  it('a hard link to a log open in another process is ERR_LOCKED, and free once it closes', async () => {
    const path = await existingLog();
    const alias = join(temp.dir(), 'alias.log');
    linkSync(path, alias);
    const holder = spawnScript('lock-holder.mjs', [path]);
    await waitForLine(holder.lines, /^locked$/);
    const error = thrown(() => new FileBackend(alias));
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.message).toContain('by another process, through another path to the same file');
    holder.child.stdin.write('close\n');
    await waitForLine(holder.lines, /^closed$/);
    await holder.exited;
    const backend = temp.track(new FileBackend(alias));
    expect([...backend.replay()]).toEqual([contractFact(1)]);
  });

  it('another process opening a hard link of a log open here is ERR_LOCKED', async () => {
    const path = await existingLog();
    const alias = join(temp.dir(), 'alias.log');
    linkSync(path, alias);
    temp.track(new FileBackend(path));
    const other = spawnScript('lock-holder.mjs', [alias]);
    await other.exited;
    expect(other.lines).toEqual(['error ERR_LOCKED']);
  });

  it('the kernel lock dies with a process killed by SIGKILL', async () => {
    const path = await existingLog();
    const alias = join(temp.dir(), 'alias.log');
    linkSync(path, alias);
    const holder = spawnScript('lock-holder.mjs', [path]);
    await waitForLine(holder.lines, /^locked$/);
    holder.child.kill('SIGKILL');
    await holder.exited;
    temp.track(new FileBackend(alias));
  });
});

describe('a lock file that cannot be read', () => {
  it('is ERR_LOCKED and says how to clear it safely; after deleting it the log opens', () => {
    const path = join(temp.dir(), 'app.log');
    writeFileSync(`${path}.lock`, 'not json');
    const error = thrown(() => new FileBackend(path));
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.details).toEqual({ path, lockFile: `${path}.lock` });
    expect(error.message).toBe(
      `${path} may be open for writing: its lock file ${path}.lock cannot be read. If no process has the store open (stop every program using it; \`fuser ${path}\` or \`lsof ${path}\` lists none), delete ${path}.lock and open again. Never delete it while a writer runs: two writers would corrupt the log.`,
    );
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('not json');
    rmSync(`${path}.lock`);
    temp.track(new FileBackend(path));
  });

  it('a lock file without read permission is ERR_LOCKED with the same advice', () => {
    const path = join(temp.dir(), 'app.log');
    writeFileSync(`${path}.lock`, '{}');
    chmodSync(`${path}.lock`, 0);
    const error = thrown(() => new FileBackend(path));
    // root reads any file: then the lock file is read, and {} names no owner.
    expect(error.code).toBe('ERR_LOCKED');
    expect(error.message).toContain(`delete ${path}.lock and open again`);
  });
});
