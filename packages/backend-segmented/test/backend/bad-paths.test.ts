import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { factOf } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');

describe('a directory that cannot be a segmented store', () => {
  it('refuses a file given as the directory, naming it, and leaves it alone', () => {
    const file = join(temp.dir(), 'data');
    writeFileSync(file, 'hello');
    expect(thrown(() => new SegmentedFileBackend(file))).toEqual({
      code: 'ERR_INVALID_ARGUMENT',
      message: `${file} is a file; a segmented store needs a directory`,
      details: { path: file },
    });
    expect(filesUnder(temp.dir())).toEqual(['data']);
  });

  it('refuses a directory under a parent that is a file, naming the file', () => {
    const parent = join(temp.dir(), 'notes.txt');
    writeFileSync(parent, 'hello');
    const dir = join(parent, 'segments');
    expect(thrown(() => new SegmentedFileBackend(dir))).toEqual({
      code: 'ERR_INVALID_ARGUMENT',
      message: `cannot create ${dir}: ${parent} is a file, not a directory`,
      details: { path: parent },
    });
    expect(readdirSync(temp.dir())).toEqual(['notes.txt']);
  });

  it('refuses a non-empty folder that is not a segmented store and writes nothing into it', () => {
    const dir = join(temp.dir(), 'home');
    mkdirSync(join(dir, 'photos'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    expect(thrown(() => new SegmentedFileBackend(dir))).toEqual({
      code: 'ERR_UNSUPPORTED_FORMAT',
      message: `${dir} is not empty and is not an Igniter segmented store (no catalog; it holds notes.txt, photos); give an empty or new directory`,
      details: { path: dir },
    });
    expect(filesUnder(dir)).toEqual(['notes.txt']);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'photos']);
  });

  it('opens an empty existing folder as a new store', () => {
    const dir = join(temp.dir(), 'empty');
    mkdirSync(dir);
    const backend = temp.track(new SegmentedFileBackend(dir));
    backend.writeFact(factOf(1));
    expect([...backend.replay()].map((f) => f.seq)).toEqual([1]);
  });

  it('reopens its own folder', async () => {
    const dir = join(temp.dir(), 'store');
    const backend = new SegmentedFileBackend(dir);
    backend.writeFact(factOf(1));
    await backend.close();
    const again = temp.track(new SegmentedFileBackend(dir));
    expect([...again.replay()].map((f) => f.seq)).toEqual([1]);
  });
});
