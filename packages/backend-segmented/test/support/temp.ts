import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Anything with an async close (a backend or a store). */
interface Closable {
  close(): Promise<void>;
}

/** A fresh temp directory per test, removed after it; what `track` registers is closed first. */
export function useTempDir(): { dir: () => string; track: <T extends Closable>(item: T) => T } {
  let current = '';
  let open: Closable[] = [];
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), 'igniter-seg-'));
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

/** Every file under `root`, as paths relative to it with `/` separators, sorted. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** The files under `root` whose bytes contain `text` (UTF-8), relative and sorted. */
export function filesContaining(root: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return filesUnder(root).filter((name) => readFileSync(join(root, name)).includes(needle));
}

/** Size of the file at `path` in bytes. */
export function sizeOf(path: string): number {
  return statSync(path).size;
}

/** Runs `run` and returns the code, message and details of what it throws (fails if it does not). */
export function thrown(run: () => unknown): { code: unknown; message: string; details: unknown } {
  try {
    run();
  } catch (error) {
    const e = error as { code?: unknown; message: string; details?: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected a throw');
}
