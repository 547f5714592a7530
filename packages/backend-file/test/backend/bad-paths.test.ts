import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');

describe('a log path that cannot be a log', () => {
  it('refuses a directory given as the log path, naming it, and creates nothing', () => {
    const dir = join(temp.dir(), 'data');
    mkdirSync(dir);
    expect(thrown(() => new FileBackend(dir))).toEqual({
      code: 'ERR_INVALID_ARGUMENT',
      message: `${dir} is a directory; give the path of the log file in it, such as ${dir}/app.log`,
      details: { path: dir },
    });
    expect(filesUnder(temp.dir())).toEqual([]);
  });

  it('refuses a log under a parent that is a file, naming the file, and creates nothing', () => {
    const parent = join(temp.dir(), 'notes.txt');
    writeFileSync(parent, 'hello');
    const path = join(parent, 'sub', 'app.log');
    expect(thrown(() => new FileBackend(path))).toEqual({
      code: 'ERR_INVALID_ARGUMENT',
      message: `cannot create ${path}: ${parent} is a file, not a directory`,
      details: { path: parent },
    });
    expect(readdirSync(temp.dir())).toEqual(['notes.txt']);
  });

  it('gives openFileStore the same coded error', () => {
    expect(thrown(() => openFileStore(temp.dir())).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
