// examples/bad-paths.mjs: a path that cannot hold a store is a coded error naming it, and nothing is written.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { SegmentedFileBackend } from '@igniter/backend-segmented';

const dir = mkdtempSync(join(tmpdir(), 'igniter-paths-'));
function attempt(open) {
  try {
    open();
    return 'opened';
  } catch (error) {
    return `${error.code}: ${error.message.replaceAll(dir, '<dir>')}`;
  }
}
try {
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  mkdirSync(join(dir, 'photos'));
  writeFileSync(join(dir, 'photos', 'cat.jpg'), 'meow');

  console.log(attempt(() => openFileStore(join(dir, 'data'))));
  console.log(attempt(() => openFileStore(join(dir, 'notes.txt', 'app.log'))));
  console.log(attempt(() => new SegmentedFileBackend(join(dir, 'photos'))));
  console.log('photos still holds:', readdirSync(join(dir, 'photos')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
