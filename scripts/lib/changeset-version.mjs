// `changeset version` in a temp copy of the workspace manifests (never on the real tree): what it
// would write on the next release, for test:install to check.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { readJson, repoRoot, run, workspacePackages } from './workspace.mjs';

export const changesetCli = join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');

/** A changeset the check adds to the copy, so the CHANGELOG path runs even with none pending. */
export const probeChangeset = {
  file: 'igniter-install-probe.md',
  packageName: '@igniter/core',
  line: 'Release check: `changeset version` writes this line into the CHANGELOG.',
};

/** `{ name: 'major' | 'minor' | 'patch' }` for every package a pending changeset names, highest bump. */
function pendingBumps(changesetDir) {
  const rank = ['patch', 'minor', 'major'];
  const bumps = {};
  for (const file of readdirSync(changesetDir)) {
    if (!file.endsWith('.md') || file === 'README.md') {
      continue;
    }
    const frontMatter = readFileSync(join(changesetDir, file), 'utf8').split('---')[1] ?? '';
    for (const match of frontMatter.matchAll(/^\s*["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)) {
      const [, name, bump] = match;
      if (bumps[name] === undefined || rank.indexOf(bump) > rank.indexOf(bumps[name])) {
        bumps[name] = bump;
      }
    }
  }
  return bumps;
}

/**
 * Copies the root manifest, pnpm-workspace.yaml, .changeset/ and every workspace package's
 * package.json and CHANGELOG.md into `dir`, adds the probe changeset, runs `changeset version` there
 * and returns `{ packages: [{ name, private, before, after, changelog }], pendingBumps, changesetsLeft }`.
 */
export function versionInTempCopy(dir) {
  const packages = workspacePackages();
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  copyFileSync(join(repoRoot, 'pnpm-workspace.yaml'), join(dir, 'pnpm-workspace.yaml'));
  cpSync(join(repoRoot, '.changeset'), join(dir, '.changeset'), { recursive: true });
  writeFileSync(
    join(dir, '.changeset', probeChangeset.file),
    `---\n"${probeChangeset.packageName}": patch\n---\n\n${probeChangeset.line}\n`,
  );
  for (const pkg of packages) {
    const target = join(dir, relative(repoRoot, pkg.dir));
    mkdirSync(target, { recursive: true });
    copyFileSync(join(pkg.dir, 'package.json'), join(target, 'package.json'));
    if (existsSync(join(pkg.dir, 'CHANGELOG.md'))) {
      copyFileSync(join(pkg.dir, 'CHANGELOG.md'), join(target, 'CHANGELOG.md'));
    }
  }
  // The changelog generator named in .changeset/config.json resolves from the copy.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const bumps = pendingBumps(join(dir, '.changeset'));

  run(process.execPath, [changesetCli, 'version'], { cwd: dir });

  return {
    pendingBumps: bumps,
    changesetsLeft: readdirSync(join(dir, '.changeset')).sort(),
    packages: packages.map((pkg) => {
      const target = join(dir, relative(repoRoot, pkg.dir));
      const changelogPath = join(target, 'CHANGELOG.md');
      return {
        name: pkg.name,
        private: pkg.private,
        before: readJson(join(pkg.dir, 'package.json')),
        after: readJson(join(target, 'package.json')),
        changelog: existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : null,
      };
    }),
  };
}
