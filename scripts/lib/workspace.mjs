// The workspace as the release scripts see it: which packages get published, and their tarballs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs a command to completion, printing it first (unless `quiet`); throws with its output when it
 * exits non-zero. `capture: true` returns stdout instead of letting it through.
 */
export function run(
  command,
  args,
  { cwd = repoRoot, env = process.env, capture = false, quiet = false } = {},
) {
  if (!quiet) {
    const where = cwd.startsWith(repoRoot) ? relative(repoRoot, cwd) || '.' : cwd;
    console.log(`$ (${where}) ${command} ${args.join(' ')}`);
  }
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw result.error;
  }
  if (result.status !== 0) {
    const output = capture ? `\n${result.stdout}${result.stderr}` : '';
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}${output}`);
  }
  return capture ? result.stdout : '';
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Every workspace package, private ones included, as pnpm lists them (so packages/* and
 * packages/native/npm/* are picked up as they are added): `{ name, version, dir, private }`.
 */
export function workspacePackages() {
  const listed = JSON.parse(
    run('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], { capture: true, quiet: true }),
  );
  return listed
    .filter((entry) => entry.path !== repoRoot)
    .map((entry) => {
      const manifest = readJson(join(entry.path, 'package.json'));
      return {
        name: manifest.name,
        version: manifest.version,
        dir: entry.path,
        private: manifest.private === true,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The packages a release publishes: every workspace package that is not private. */
export function publishablePackages() {
  return workspacePackages().filter((pkg) => !pkg.private);
}

/** A platform package of @igniter/native (packages/native/npm/<platform>). */
export function isPlatformPackage(pkg) {
  const path = relative(join(repoRoot, 'packages', 'native', 'npm'), pkg.dir);
  return path.length > 0 && !path.startsWith('..') && !path.includes('/');
}

/**
 * Builds and packs every publishable package into `destination` (see packPackages), after checking
 * that this is linux-x64 with glibc: the one platform package built here, which `script` installs.
 */
export function buildAndPackForThisMachine(script, destination) {
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  if (!(process.platform === 'linux' && process.arch === 'x64' && glibc)) {
    throw new Error(
      `${script} needs linux-x64 with glibc (the one platform package built here), not ${process.platform}-${process.arch}`,
    );
  }
  run('pnpm', ['run', 'build']);
  return packPackages(publishablePackages(), destination);
}

/** The file name `pnpm pack` gives a package's tarball. */
export function tarballName(pkg) {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/**
 * Packs every package with `pnpm pack` (which rewrites workspace: ranges to real versions and runs
 * `prepack`, which puts the native binary into its platform package) into `destination`.
 * Returns the packages with a `tarball` path each.
 */
export function packPackages(packages, destination) {
  return packages.map((pkg) => {
    run('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir });
    const tarball = join(destination, tarballName(pkg));
    if (!existsSync(tarball)) {
      throw new Error(`pnpm pack wrote no ${tarball}`);
    }
    return { ...pkg, tarball };
  });
}

/** The files inside a packed tarball, relative to its `package/` folder, sorted. */
export function tarballFiles(tarball) {
  return run('tar', ['-tzf', tarball], { capture: true, quiet: true })
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/** The package.json inside a packed tarball (workspace: ranges already rewritten). */
export function tarballManifest(tarball) {
  return JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], { capture: true, quiet: true }));
}
