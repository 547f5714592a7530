import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { codeOf, contractFact, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

const temp = useTempDir('igniter-file-');

describe('the single-writer lock in one process', () => {
  it('a second open through another spelling of the path is ERR_LOCKED', () => {
    mkdirSync(join(temp.dir(), 'data'));
    symlinkSync(join(temp.dir(), 'data'), join(temp.dir(), 'alias'));
    temp.track(new FileBackend(join(temp.dir(), 'data', 'app.log')));
    expect(codeOf(() => new FileBackend(join(temp.dir(), 'data', '..', 'data', 'app.log')))).toBe(
      'ERR_LOCKED',
    );
    expect(codeOf(() => new FileBackend(join(temp.dir(), 'alias', 'app.log')))).toBe('ERR_LOCKED');
  });

  it('holds a lock file naming this process while open and removes it on close', async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = new FileBackend(path);
    const owner = JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as { pid: number; host: string };
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(hostname());
    await backend.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('closeSync releases the lock', () => {
    const path = join(temp.dir(), 'app.log');
    new FileBackend(path).closeSync();
    temp.track(new FileBackend(path));
  });

  it('a lock file left by a process that died is taken over', () => {
    const path = join(temp.dir(), 'app.log');
    const dead = spawnSyncPid();
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: dead, startTime: null, host: hostname(), token: 'old' }),
    );
    const backend = temp.track(new FileBackend(path));
    backend.writeFact(contractFact(1));
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
  });

  it('a lock file whose pid now belongs to another process (pid reuse) is taken over', () => {
    const path = join(temp.dir(), 'app.log');
    // This process's pid with a start time that is not this process's.
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: process.pid, startTime: '1', host: hostname(), token: 'old' }),
    );
    temp.track(new FileBackend(path));
  });

  it('a lock file of a live process is ERR_LOCKED', () => {
    const path = join(temp.dir(), 'app.log');
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(
        `${path}.lock`,
        JSON.stringify({ pid: sleeper.pid, startTime: null, host: hostname(), token: 'x' }),
      );
      expect(codeOf(() => new FileBackend(path))).toBe('ERR_LOCKED');
      expect(existsSync(path)).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

/** The pid of a process that has already exited. */
function spawnSyncPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the single-writer lock across processes', () => {
  beforeAll(assertBuilt);

  it('a log open in another process is ERR_LOCKED until that process closes it', async () => {
    const path = join(temp.dir(), 'app.log');
    const holder = spawnScript('lock-holder.mjs', [path]);
    await waitForLine(holder.lines, /^locked$/);
    expect(codeOf(() => new FileBackend(path))).toBe('ERR_LOCKED');
    holder.child.stdin.write('close\n');
    await waitForLine(holder.lines, /^closed$/);
    await holder.exited;
    temp.track(new FileBackend(path));
  });

  it('another process cannot open a log open here', async () => {
    const path = join(temp.dir(), 'app.log');
    temp.track(new FileBackend(path));
    const other = spawnScript('lock-holder.mjs', [path]);
    await other.exited;
    expect(other.lines).toEqual(['error ERR_LOCKED']);
  });

  it('the lock of a process killed with SIGKILL is released by its death', async () => {
    const path = join(temp.dir(), 'app.log');
    const holder = spawnScript('lock-holder.mjs', [path]);
    await waitForLine(holder.lines, /^locked$/);
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(existsSync(`${path}.lock`)).toBe(true);
    temp.track(new FileBackend(path));
  });
});
