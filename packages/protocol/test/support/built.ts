import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The directories of the packages the built-package tests copy. */
export const PACKAGE_DIRS = {
  core: resolve(here, '../../../core'),
  protocol: resolve(here, '../..'),
  native: resolve(here, '../../../native'),
} as const;

/** Throws unless the packages are built (`pnpm test` builds first: turbo's test depends on build). */
export function assertBuilt(): void {
  for (const dir of [PACKAGE_DIRS.core, PACKAGE_DIRS.protocol]) {
    if (!existsSync(join(dir, 'dist', 'index.cjs')))
      throw new Error(`${dir}/dist is missing: run pnpm build`);
  }
}

/** A temp project with the built packages copied into node_modules/@igniter (no workspace links). */
export function projectWith(names: ReadonlyArray<keyof typeof PACKAGE_DIRS>): string {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-pkg-'));
  for (const name of names) {
    const target = join(dir, 'node_modules', '@igniter', name);
    mkdirSync(target, { recursive: true });
    if (name === 'native') {
      // The addon package has no dist: its published files sit at its root.
      cpSync(PACKAGE_DIRS.native, target, {
        recursive: true,
        filter: (from) => !/[/\\](node_modules|scripts|test)$/.test(from),
      });
      continue;
    }
    cpSync(join(PACKAGE_DIRS[name], 'dist'), join(target, 'dist'), { recursive: true });
    cpSync(join(PACKAGE_DIRS[name], 'package.json'), join(target, 'package.json'));
  }
  return dir;
}

/** Runs `node -e source` in `cwd` on the given engine and returns its stdout; throws with stderr on failure. */
export function runNode(cwd: string, source: string, type: 'commonjs' | 'module', engine = 'ts'): string {
  // vitest's NODE_PATH reaches pnpm's hoisted store: drop it so only the project's modules resolve.
  const { NODE_PATH: _hoisted, ...env } = process.env;
  const args = type === 'module' ? ['--input-type=module', '-e', source] : ['-e', source];
  const result = spawnSync(process.execPath, args, {
    cwd,
    env: { ...env, IGNITER_ENGINE: engine },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}
