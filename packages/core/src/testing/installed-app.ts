import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * An application folder that "installed" the built workspace packages `names` (their `dist` and
 * `package.json` under `node_modules/@igniter/<name>`, as npm lays them out), without the native
 * addon. `run` executes a script there in a fresh Node process with the TS engine and returns
 * the JSON it printed (it expects nothing on stderr).
 */
export interface InstalledApp {
  readonly dir: string;
  run(script: string, type: 'module' | 'commonjs'): unknown;
  remove(): void;
}

export function installedApp(packagesDir: string, names: readonly string[]): InstalledApp {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-app-'));
  for (const name of names) {
    const target = join(dir, 'node_modules', '@igniter', name);
    mkdirSync(target, { recursive: true });
    cpSync(join(packagesDir, name, 'dist'), join(target, 'dist'), { recursive: true });
    cpSync(join(packagesDir, name, 'package.json'), join(target, 'package.json'));
  }
  return {
    dir,
    run(script, type) {
      const result = spawnSync(process.execPath, [`--input-type=${type}`, '-e', script], {
        cwd: dir,
        env: { ...process.env, IGNITER_ENGINE: 'ts' },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
