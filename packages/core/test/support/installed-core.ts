import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** How `run` starts node in the project. */
export interface RunOptions {
  /** How node reads the source (`--input-type`); default CommonJS. */
  type?: 'commonjs' | 'module';
  /** Set over this process's environment, from which NODE_PATH and IGNITER_ENGINE are dropped. */
  env?: Record<string, string>;
}

/**
 * A temp project in which only the built @igniter/core is installed, as npm lays it out: no
 * backend, protocol or native addon beside it. Made before the file's tests, removed after them.
 * `run` runs `source` there with node and parses its stdout as JSON.
 */
export function useInstalledCore(prefix: string): {
  dir: () => string;
  run: (source: string, options?: RunOptions) => { stdout: unknown; stderr: string };
} {
  let project = '';
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), prefix));
    const target = join(project, 'node_modules', '@igniter', 'core');
    mkdirSync(target, { recursive: true });
    cpSync(join(coreDir, 'dist'), join(target, 'dist'), { recursive: true });
    cpSync(join(coreDir, 'package.json'), join(target, 'package.json'));
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });
  return {
    dir: () => project,
    run: (source, { type = 'commonjs', env = {} } = {}) => {
      // vitest's NODE_PATH reaches pnpm's hoisted store (where @igniter/native is found): drop it
      // so that only the project's modules resolve.
      const { IGNITER_ENGINE: _engine, NODE_PATH: _hoisted, ...base } = process.env;
      const args = type === 'module' ? ['--input-type=module', '-e', source] : ['-e', source];
      const result = spawnSync(process.execPath, args, {
        cwd: project,
        env: { ...base, ...env },
        encoding: 'utf8',
      });
      return { stdout: JSON.parse(result.stdout) as unknown, stderr: result.stderr };
    },
  };
}
