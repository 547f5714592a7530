// `pnpm test:runtimes`: the packed tarballs where users run them. Builds and packs every
// publishable package (as test:install does), installs them into fresh temp projects and runs:
// - scripts/runtimes/smoke.mjs on Node 20, 22 and 24, Bun and Deno (the npm registry's
//   per-platform packages, scripts/runtimes/toolchain), with the native addon and with the
//   platform package removed (the TypeScript engine, exactly one warning);
// - an app of @igniter/core and @igniter/backend-file bundled by esbuild, webpack and Vite (SSR),
//   run where it was built (finds the addon) and copied away from any node_modules (falls back);
// - tsc over a consumer of every package in node16, nodenext and bundler resolution.
// Needs linux-x64 (glibc): the one target built here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runtimeAliases, runtimeToolchain } from './lib/runtime-toolchain.mjs';
import { cleanEnv, installFromTarballs, reportInstalled } from './lib/temp-projects.mjs';
import { buildAndPackForThisMachine, repoRoot, run } from './lib/workspace.mjs';

const fixtures = join(repoRoot, 'scripts', 'runtimes');
const work = mkdtempSync(join(tmpdir(), 'igniter-test-runtimes-'));
const context = { work, packed: [] };
/** @type {Map<string, { command: string[], env: Record<string, string> }>} */
let runtimes = new Map();
/** The user's npm cache: the registry's packages (Fastify, the bundlers) are fetched once. */
let npmCache = '';

/** A temp project with `names` of ours from the tarballs and other authors' packages online. */
function install(label, names, extraDependencies = {}) {
  const project = installFromTarballs(context, label, names, {
    online: true,
    cache: npmCache,
    extraDependencies,
  });
  reportInstalled(label, project);
  return project;
}

/** Runs `command` (a runtime or a bundled program) in `cwd`; returns its parsed JSON line and stderr. */
function runProgram(label, command, cwd, env = {}) {
  const result = spawnSync(command[0], command.slice(1), {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(
    result.status,
    0,
    `${label} exited with ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`,
  );
  const lines = result.stdout.trim().split('\n');
  console.log(`[${label}] ${lines.at(-1)}`);
  if (result.stderr) {
    console.log(`[${label}] stderr:\n${result.stderr.trimEnd()}`);
  }
  return { output: JSON.parse(lines.at(-1)), stderr: result.stderr };
}

const fallbackWarning =
  /^\(node:\d+\) \[IGNITER_TS_FALLBACK\] Warning: Igniter falls back to the TypeScript engine: @igniter\/native could not be loaded: /;
const traceHint = /^\(Use `\S+ --trace-warnings \.\.\.` to show where the warning was created\)$/;

/** Native: nothing on stderr. TS: exactly one fallback warning (and the runtime's hint line). */
function assertWarnings(stderr, engine) {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  if (engine === 'native') {
    assert.deepEqual(lines, []);
    return;
  }
  assert.equal(lines.filter((line) => fallbackWarning.test(line)).length, 1, stderr);
  assert.deepEqual(
    lines.filter((line) => !fallbackWarning.test(line) && !traceHint.test(line)),
    [],
  );
}

const smokeResult = (engine) => ({
  engineInfo: engine,
  written: [1, 2],
  reopened: {
    engine,
    backend: 'file',
    factCount: 2,
    read: { title: 'ship' },
    timeTravel: { title: 'draft' },
    history: [1, 2],
    dispatch: ['ok', 2, 'ERR_UNKNOWN_OP'],
  },
  served: { seq: 1, read: { title: 'serve' }, conflict: ['ERR_CONFLICT', true] },
});

const bundledResult = (engine) => ({ engineInfo: engine, engine, read: { title: 'bundle' }, factCount: 1 });

describe('test:runtimes', () => {
  before(() => {
    context.packed = buildAndPackForThisMachine('test:runtimes', join(work, 'tarballs'));
    npmCache = run('npm', ['config', 'get', 'cache'], { capture: true, quiet: true }).trim();
    runtimes = runtimeToolchain(work);
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  describe('the smoke program on every runtime', () => {
    let project = '';
    const smoke = (alias) => {
      const { command, env } = runtimes.get(alias);
      return runProgram(alias, [...command, 'smoke.mjs'], project, env);
    };

    before(() => {
      project = install('smoke', [
        '@igniter/core',
        '@igniter/backend-file',
        '@igniter/protocol',
        '@igniter/client',
        '@igniter/server',
      ]);
      copyFileSync(join(fixtures, 'smoke.mjs'), join(project, 'smoke.mjs'));
    });

    for (const { alias, spec } of runtimeAliases()) {
      test(`${alias} (${spec}) with the native addon`, () => {
        const { output, stderr } = smoke(alias);
        assert.deepEqual(output, smokeResult('native'));
        assertWarnings(stderr, 'native');
      });
    }

    test('deno without --allow-ffi cannot load the addon: the TypeScript engine with one warning', () => {
      const { command, env } = runtimes.get('deno');
      const permissions = ['--allow-read', '--allow-write', '--allow-env', '--allow-net', '--allow-sys'];
      const { output, stderr } = runProgram(
        'deno without --allow-ffi',
        [command[0], 'run', ...permissions, 'smoke.mjs'],
        project,
        env,
      );
      assert.deepEqual(output, smokeResult('ts'));
      assertWarnings(stderr, 'ts');
    });

    describe('with the platform package removed', () => {
      const platformPackage = () => join(project, 'node_modules', '@igniter', 'native-linux-x64-gnu');
      before(() => renameSync(platformPackage(), join(work, 'native-linux-x64-gnu-removed')));
      after(() => renameSync(join(work, 'native-linux-x64-gnu-removed'), platformPackage()));

      for (const { alias, spec } of runtimeAliases()) {
        test(`${alias} (${spec}) falls back to the TypeScript engine with one warning`, () => {
          const { output, stderr } = smoke(alias);
          assert.deepEqual(output, smokeResult('ts'));
          assertWarnings(stderr, 'ts');
        });
      }
    });
  });

  describe('bundlers (the recipes of docs/runtimes.md)', () => {
    let project = '';
    /** Outside every node_modules: a bundle copied here cannot find @igniter/native. */
    let away = '';

    before(() => {
      project = install('bundlers', ['@igniter/core', '@igniter/backend-file'], {
        esbuild: '0.28.2',
        vite: '8.4.1',
        webpack: '5.113.0',
        'webpack-cli': '7.3.1',
      });
      for (const file of ['app.mjs', 'webpack.config.mjs', 'vite.config.mjs']) {
        copyFileSync(join(fixtures, 'bundlers', file), join(project, file));
      }
      away = join(work, 'away');
      mkdirSync(away);
    });

    const bundlers = {
      esbuild: [
        ['app.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=dist/esbuild/app.mjs'],
        'dist/esbuild/app.mjs',
      ],
      webpack: [['--config', 'webpack.config.mjs'], 'dist/webpack/app.mjs'],
      vite: [['build', '--config', 'vite.config.mjs'], 'dist/vite/app.mjs'],
    };
    for (const [bundler, [args, output]] of Object.entries(bundlers)) {
      test(`${bundler}: the bundle finds the addon in node_modules, and falls back with one warning away from it`, () => {
        run(join(project, 'node_modules', '.bin', bundler), args, { cwd: project, env: cleanEnv({}) });
        const inPlace = runProgram(`${bundler} bundle`, [process.execPath, output], project);
        assert.deepEqual(inPlace.output, bundledResult('native'));
        assertWarnings(inPlace.stderr, 'native');

        const copied = join(away, `${bundler}.mjs`);
        copyFileSync(join(project, output), copied);
        const moved = runProgram(`${bundler} bundle, moved`, [process.execPath, copied], away);
        assert.deepEqual(moved.output, bundledResult('ts'));
        assertWarnings(moved.stderr, 'ts');
      });
    }
  });

  describe('types: tsc over a consumer of every package', () => {
    let project = '';
    before(() => {
      project = install(
        'types',
        context.packed.map((pkg) => pkg.name).filter((name) => !name.startsWith('@igniter/native-')),
        { '@types/node': '20.19.43' },
      );
      const types = join(fixtures, 'types');
      copyFileSync(join(types, 'consumer.ts'), join(project, 'consumer-esm.mts'));
      copyFileSync(join(types, 'consumer.ts'), join(project, 'consumer-cjs.cts'));
      for (const mode of ['node16', 'nodenext', 'bundler']) {
        copyFileSync(join(types, `tsconfig.${mode}.json`), join(project, `tsconfig.${mode}.json`));
      }
    });

    for (const mode of ['node16', 'nodenext', 'bundler']) {
      test(`${mode} resolution`, () => {
        run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${mode}.json`], { cwd: project });
      });
    }
  });
});
