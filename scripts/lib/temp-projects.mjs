// Fresh temp projects that install our packed tarballs, shared by `pnpm test:install` and
// `pnpm test:runtimes`: a clean environment, an .npmrc, the install itself and what it installed.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, run } from './workspace.mjs';

/** Nothing listens there; offline installs must never need it. */
export const deadRegistry = 'http://127.0.0.1:9/';

/** The environment of every npm and node call in a temp project: none of ours leaks in. */
export function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|IGNITER_)/i.test(key)) {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

export function writeNpmrc(path, lines) {
  writeFileSync(path, `${['audit=false', 'fund=false', 'update-notifier=false', ...lines].join('\n')}\n`);
}

/** Every package under a project's node_modules (nested ones too), as sorted `name@version`. */
export function installedPackages(projectDir) {
  const found = [];
  const walk = (nodeModules) => {
    if (!existsSync(nodeModules)) {
      return;
    }
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) {
        continue;
      }
      const dirs = entry.startsWith('@')
        ? readdirSync(join(nodeModules, entry)).map((name) => join(nodeModules, entry, name))
        : [join(nodeModules, entry)];
      for (const dir of dirs) {
        const manifest = readJson(join(dir, 'package.json'));
        found.push(`${manifest.name}@${manifest.version}`);
        walk(join(dir, 'node_modules'));
      }
    }
  };
  walk(join(projectDir, 'node_modules'));
  return found.sort();
}

export function reportInstalled(label, projectDir) {
  const installed = installedPackages(projectDir);
  console.log(`[${label}] installed:\n  ${installed.join('\n  ')}`);
  return installed;
}

/**
 * A fresh project `<work>/projects/<label>` that depends on `names` (of the `packed` tarballs) and
 * on `extraDependencies` (other authors' packages, which need `online`), installed with
 * `npm install --offline` from a cache only those tarballs fill. Every other package of ours is an
 * override to its tarball, so what npm would fetch from the registry (core's optional
 * @igniter/native, its platform package) comes from our tarballs too, and only if the dependency
 * graph asks for it. `cache` is the npm cache (a fresh one under `work` unless given).
 */
export function installFromTarballs(
  { work, packed },
  label,
  names,
  { omitOptional = false, online = false, cache, extraDependencies = {} } = {},
) {
  const projectDir = join(work, 'projects', label);
  mkdirSync(projectDir, { recursive: true });
  const dependencies = { ...extraDependencies };
  const overrides = {};
  for (const pkg of packed) {
    (names.includes(pkg.name) ? dependencies : overrides)[pkg.name] = `file:${pkg.tarball}`;
  }
  writeFileSync(
    join(projectDir, 'package.json'),
    `${JSON.stringify({ name: `igniter-install-${label}`, version: '0.0.0', private: true, dependencies, overrides }, null, 2)}\n`,
  );
  const npmrc = join(projectDir, '.npmrc');
  writeNpmrc(npmrc, []);
  run(
    'npm',
    [
      'install',
      // Packages of other authors (the server's Fastify, prom-client) come from the npm registry.
      ...(online ? ['--prefer-offline'] : ['--offline', `--registry=${deadRegistry}`]),
      `--cache=${cache ?? join(work, online ? 'npm-cache-online' : 'npm-cache-offline')}`,
      ...(omitOptional ? ['--omit=optional'] : []),
    ],
    { cwd: projectDir, env: cleanEnv({ npm_config_userconfig: npmrc }) },
  );
  return projectDir;
}
