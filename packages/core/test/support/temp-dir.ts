import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Anything with an async close (a store). */
interface Closable {
  close(): Promise<void>;
}

/** A fresh temp directory per test, removed after it; what `track` registers is closed first. */
export function useTempDir(): { dir: () => string; track: <T extends Closable>(item: T) => T } {
  let current = '';
  let open: Closable[] = [];
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), 'igniter-core-'));
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
