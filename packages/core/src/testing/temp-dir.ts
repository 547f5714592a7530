import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Anything with an async close: a backend or a store. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Gives each test a fresh directory `<os tmpdir>/<prefix>XXXXXX`, removed after the test; what
 * `track` registers is closed first (a failing close is ignored). Registers vitest
 * `beforeEach`/`afterEach` hooks, so call it in a test file or a `describe` block. `dir()` is the
 * current test's directory. Cost: one directory made and removed per test.
 *
 * @example
 * const temp = useTempDir('igniter-file-');
 * it('reopens', () => { const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'))); });
 */
export function useTempDir(prefix = 'igniter-'): {
  dir: () => string;
  track: <T extends Closable>(item: T) => T;
} {
  let current = '';
  let open: Closable[] = [];
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), prefix));
    open = [];
  });
  afterEach(async () => {
    for (const item of open) await item.close().catch(() => undefined);
    rmSync(current, { recursive: true, force: true });
  });
  return {
    dir: () => current,
    track: (item) => {
      open.push(item);
      return item;
    },
  };
}
