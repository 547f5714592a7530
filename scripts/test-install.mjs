// `pnpm test:install`: what a user gets from npm. Builds, packs every publishable package with
// `pnpm pack`, checks each tarball (publint, attw, surface), installs the tarballs OFFLINE into fresh
// temp projects and runs each there; publishes everything with `changeset publish` to a local
// Verdaccio (127.0.0.1, no uplinks) and installs from it; checks `changeset version` in a temp copy.
// Every temp project prints what it installed. Needs linux-x64 (glibc): the one target built here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { changesetCli, probeChangeset, versionInTempCopy } from './lib/changeset-version.mjs';
import { startLocalRegistry } from './lib/local-registry.mjs';
import { checkTarballs } from './lib/package-checks.mjs';
import {
  cleanEnv,
  installFromTarballs as installProject,
  reportInstalled,
  writeNpmrc,
} from './lib/temp-projects.mjs';
import { buildAndPackForThisMachine, isPlatformPackage, readJson, repoRoot, run } from './lib/workspace.mjs';

const fixtures = join(repoRoot, 'scripts', 'install-fixtures');
const work = mkdtempSync(join(tmpdir(), 'igniter-test-install-'));
const platformBinary = 'igniter.linux-x64-gnu.node';
/** @type {{ name: string, version: string, dir: string, tarball: string }[]} */
let packed = [];

function packageNamed(name) {
  const pkg = packed.find((candidate) => candidate.name === name);
  assert.ok(pkg, `${name} was not packed`);
  return pkg;
}

function nativeFamily() {
  return packed.filter((pkg) => pkg.name === '@igniter/native' || isPlatformPackage(pkg));
}

/** installFromTarballs of ./lib/temp-projects.mjs, over this run's tarballs. */
function installFromTarballs(label, names, options) {
  return installProject({ work, packed }, label, names, options);
}

/** Runs a fixture program in a project; returns its parsed JSON line and its stderr. */
function runFixture(projectDir, fixture) {
  copyFileSync(join(fixtures, fixture), join(projectDir, fixture));
  const result = spawnSync(process.execPath, [fixture], {
    cwd: projectDir,
    env: cleanEnv({}),
    encoding: 'utf8',
  });
  assert.equal(
    result.status,
    0,
    `${fixture} exited with ${result.status}:\n${result.stdout}${result.stderr}`,
  );
  const lines = result.stdout.trim().split('\n');
  console.log(`[${fixture}] ${lines.at(-1)}`);
  return { output: JSON.parse(lines.at(-1)), stderr: result.stderr };
}

function sha256Hex(text) {
  return createHash('sha256').update(text).digest('hex');
}

const coreMemoryResult = (engine) => ({
  engineInfo: engine,
  storeEngine: engine,
  read: { title: 'pack', done: true },
  seqs: [1, 2],
  valueHash: sha256Hex('{"done":true,"title":"pack"}'),
});

const fileStoreResult = (module) => ({
  logExists: true,
  engine: 'native',
  read: { title: 'ship', module },
  factCount: 2,
  backend: 'file',
});

/** The native addon ships only in the platform package; @igniter/native's folder has no binary. */
function assertBinaryFromPlatformPackage(projectDir) {
  const scope = join(projectDir, 'node_modules', '@igniter');
  assert.deepEqual(
    readdirSync(join(scope, 'native')).filter((file) => file.endsWith('.node')),
    [],
  );
  assert.ok(existsSync(join(scope, 'native-linux-x64-gnu', platformBinary)));
}

function versionsOf(names) {
  return names.map((name) => `${name}@${packageNamed(name).version}`).sort();
}

describe('test:install', () => {
  before(() => {
    packed = buildAndPackForThisMachine('test:install', join(work, 'tarballs'));
    console.log(`packed:\n  ${packed.map((pkg) => pkg.tarball).join('\n  ')}`);
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('every tarball passes publint, @arethetypeswrong/cli and the surface checks', async () => {
    assert.deepEqual(await checkTarballs(packed), []);
  });

  describe('offline installs from the tarballs', () => {
    test('@igniter/core alone writes and reads on the native engine, from the platform package', () => {
      const project = installFromTarballs('core-native', ['@igniter/core']);
      assert.deepEqual(
        reportInstalled('core alone', project),
        versionsOf(['@igniter/core', ...nativeFamily().map((pkg) => pkg.name)]),
      );
      assertBinaryFromPlatformPackage(project);
      const { output, stderr } = runFixture(project, 'core-memory.mjs');
      assert.deepEqual(output, coreMemoryResult('native'));
      assert.equal(stderr, '');
    });

    test('@igniter/core alone with optional dependencies omitted falls back to the TS engine', () => {
      const project = installFromTarballs('core-ts', ['@igniter/core'], { omitOptional: true });
      assert.deepEqual(
        reportInstalled('core alone, --omit=optional', project),
        versionsOf(['@igniter/core']),
      );
      const { output, stderr } = runFixture(project, 'core-memory.mjs');
      assert.deepEqual(output, coreMemoryResult('ts'));
      assert.match(stderr, /\[IGNITER_TS_FALLBACK\] Warning: Igniter falls back to the TypeScript engine/);
    });

    test('core + backend-file open a file store from ESM and from CommonJS', () => {
      const project = installFromTarballs('core-backend-file', ['@igniter/core', '@igniter/backend-file']);
      assert.deepEqual(
        reportInstalled('core + backend-file', project),
        versionsOf(['@igniter/core', '@igniter/backend-file', ...nativeFamily().map((pkg) => pkg.name)]),
      );
      assert.deepEqual(runFixture(project, 'file-store.mjs').output, fileStoreResult('esm'));
      assert.deepEqual(runFixture(project, 'file-store.cjs').output, fileStoreResult('cjs'));
    });

    test('a program importing only core gets one copy of it per module system: instanceof holds for what backend-file and protocol throw', () => {
      const project = installFromTarballs('one-core', [
        '@igniter/core',
        '@igniter/backend-file',
        '@igniter/protocol',
      ]);
      reportInstalled('core + backend-file + protocol', project);
      const expected = {
        locked: ['ERR_LOCKED', true],
        badCursor: ['ERR_INVALID_ARGUMENT', true],
        viaBackend: ['ERR_LOCKED', true],
        interpreter: true,
      };
      for (const fixture of ['one-core.mjs', 'one-core.cjs']) {
        const { output, stderr } = runFixture(project, fixture);
        assert.deepEqual(output, expected, fixture);
        // No ExperimentalWarning either: require(esm) from node_modules loads silently (Node 20.19+, 22.12+).
        assert.equal(stderr, '', fixture);
      }
    });

    test('core + protocol dispatch envelopes', () => {
      const project = installFromTarballs('core-protocol', ['@igniter/core', '@igniter/protocol']);
      assert.deepEqual(
        reportInstalled('core + protocol', project),
        versionsOf(['@igniter/core', '@igniter/protocol', ...nativeFamily().map((pkg) => pkg.name)]),
      );
      assert.deepEqual(runFixture(project, 'protocol-dispatch.mjs').output, {
        engine: 'native',
        registered: 'accepted',
        write: ['ok', 'accepted'],
        read: ['ok', { value: { title: 'ship' }, found: true }],
        unknown: ['error', 'ERR_UNKNOWN_OP'],
      });
    });

    test('core + backend-segmented reopen a segmented store', () => {
      const project = installFromTarballs('core-backend-segmented', [
        '@igniter/core',
        '@igniter/backend-segmented',
      ]);
      assert.deepEqual(
        reportInstalled('core + backend-segmented', project),
        versionsOf(['@igniter/core', '@igniter/backend-segmented', ...nativeFamily().map((pkg) => pkg.name)]),
      );
      assert.deepEqual(runFixture(project, 'segmented-store.mjs').output, {
        engine: 'native',
        read: { celsius: 21.5 },
        factCount: 2,
        backend: 'segmented',
      });
    });
  });

  // The cli brings @igniter/backend-postgres (igniter serve --postgres), and with it `pg`.
  test('server + cli (their npm dependencies from the registry) serve a store and run the igniter bin', () => {
    const project = installFromTarballs('server-cli', ['@igniter/server', '@igniter/cli'], { online: true });
    const installed = reportInstalled('server + cli', project).filter((entry) =>
      entry.startsWith('@igniter/'),
    );
    assert.deepEqual(
      installed,
      versionsOf([
        '@igniter/server',
        '@igniter/cli',
        '@igniter/client',
        '@igniter/mcp',
        '@igniter/inspector',
        '@igniter/core',
        '@igniter/protocol',
        '@igniter/backend-file',
        '@igniter/backend-postgres',
        '@igniter/backend-segmented',
        ...nativeFamily().map((pkg) => pkg.name),
      ]),
    );
    assert.deepEqual(runFixture(project, 'server-serve.mjs').output, {
      put: 201,
      value: { title: 'ship' },
      health: ['ready', 'file', 'native'],
      inspector: [200, 'text/html; charset=utf-8', true],
      stats: ['file', 1, 1],
    });
    assert.deepEqual(runFixture(project, 'cli-mcp.mjs').output, {
      code: 0,
      server: 'igniter',
      tools: 12,
      seq: 1,
    });
  });

  test("client (with server to talk to) writes, reads, subscribes and throws core's IgniterError, from ESM and CommonJS", () => {
    const project = installFromTarballs('client', ['@igniter/client', '@igniter/core', '@igniter/server'], {
      online: true,
    });
    const installed = reportInstalled('client + core + server', project);
    assert.ok(installed.some((entry) => entry.startsWith('eventsource-parser@3.')));
    assert.deepEqual(runFixture(project, 'client.mjs').output, {
      seq: 1,
      value: { title: 'ship' },
      conflict: ['ERR_CONFLICT', true],
      event: [1, 'write', 't1'],
    });
    assert.deepEqual(runFixture(project, 'client.cjs').output, {
      code: 'ERR_NETWORK',
      core: true,
      same: true,
    });
  });

  describe('a real publish to a local registry', () => {
    let registry;
    let registryEnv;

    before(async () => {
      registry = await startLocalRegistry(join(work, 'registry'));
      console.log(`verdaccio (pid ${registry.pid}) at ${registry.url}`);
      const npmrc = join(work, 'registry.npmrc');
      const token = `igniter-test-install-${randomBytes(8).toString('hex')}`;
      writeNpmrc(npmrc, [
        `registry=${registry.url}`,
        `${registry.url.replace(/^http:/, '')}:_authToken=${token}`,
      ]);
      registryEnv = cleanEnv({
        npm_config_userconfig: npmrc,
        npm_config_registry: registry.url,
        // Beats a scoped registry any .npmrc of the repo could name: our packages go nowhere else.
        'npm_config_@igniter:registry': registry.url,
        npm_config_cache: join(work, 'npm-cache-registry'),
      });
    });

    after(async () => {
      await registry?.stop();
    });

    test('changeset publish puts every package on the registry and nothing else', async () => {
      run(process.execPath, [changesetCli, 'publish', '--no-git-tag'], { env: registryEnv });
      for (const pkg of packed) {
        const response = await fetch(`${registry.url}${pkg.name.replace('/', '%2f')}`);
        assert.equal(response.status, 200, `${pkg.name} is not on the registry`);
        const packument = await response.json();
        assert.deepEqual(Object.keys(packument.versions), [pkg.version]);
        assert.equal(packument['dist-tags'].latest, pkg.version);
      }
      const stored = readdirSync(join(work, 'registry', 'storage')).filter((entry) => !entry.startsWith('.'));
      assert.deepEqual(stored, ['@igniter']);
      assert.deepEqual(
        readdirSync(join(work, 'registry', 'storage', '@igniter')).sort(),
        packed.map((pkg) => pkg.name.replace('@igniter/', '')).sort(),
      );
    });

    test('the published core and backend-file install from it and write and read', () => {
      const project = join(work, 'projects', 'from-registry');
      mkdirSync(project, { recursive: true });
      writeFileSync(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'igniter-install-from-registry', version: '0.0.0', private: true }, null, 2)}\n`,
      );
      const wanted = ['@igniter/core', '@igniter/backend-file'].map(
        (name) => `${name}@${packageNamed(name).version}`,
      );
      run('npm', ['install', ...wanted, `--cache=${join(work, 'npm-cache-consumer')}`], {
        cwd: project,
        env: registryEnv,
      });
      assert.deepEqual(
        reportInstalled('from the registry: core + backend-file', project),
        versionsOf(['@igniter/core', '@igniter/backend-file', ...nativeFamily().map((pkg) => pkg.name)]),
      );
      const lock = readJson(join(project, 'package-lock.json'));
      for (const [path, entry] of Object.entries(lock.packages)) {
        if (path !== '') {
          assert.ok(entry.resolved.startsWith(registry.url), `${path} came from ${entry.resolved}`);
        }
      }
      assertBinaryFromPlatformPackage(project);
      assert.deepEqual(runFixture(project, 'core-memory.mjs').output, coreMemoryResult('native'));
      assert.deepEqual(runFixture(project, 'file-store.mjs').output, fileStoreResult('esm'));
      assert.deepEqual(runFixture(project, 'file-store.cjs').output, fileStoreResult('cjs'));
    });
  });

  test('changeset version (in a temp copy) writes CHANGELOGs, bumps the fixed group together and keeps 0.x on 0.x', () => {
    const { packages, pendingBumps, changesetsLeft } = versionInTempCopy(join(work, 'changeset-version'));
    for (const pkg of packages) {
      console.log(`[changeset version] ${pkg.name}: ${pkg.before.version} -> ${pkg.after.version}`);
    }
    assert.deepEqual(changesetsLeft, ['README.md', 'config.json']);

    const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
    const probed = byName.get(probeChangeset.packageName);
    assert.ok(probed.changelog?.includes(probeChangeset.line), 'the probe changeset is not in the CHANGELOG');

    const fixedGroup = packages.filter(
      (pkg) => pkg.name === '@igniter/core' || nativeFamily().some((n) => n.name === pkg.name),
    );
    assert.deepEqual(
      fixedGroup.map((pkg) => pkg.after.version),
      fixedGroup.map(() => probed.after.version),
    );

    for (const pkg of packages) {
      if (pkg.private) {
        assert.equal(
          pkg.after.version,
          pkg.before.version,
          `${pkg.name} is private and must not be versioned`,
        );
        continue;
      }
      if (pkg.after.version !== pkg.before.version) {
        assert.ok(
          pkg.changelog?.startsWith(`# ${pkg.name}\n\n## ${pkg.after.version}\n`),
          `${pkg.name}'s CHANGELOG does not open with ${pkg.after.version}`,
        );
      }
      const majorBefore = pkg.before.version.split('.')[0];
      if (pendingBumps[pkg.name] !== 'major') {
        assert.equal(
          pkg.after.version.split('.')[0],
          majorBefore,
          `${pkg.name} crossed a major with no major changeset`,
        );
      }
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
        for (const [name, range] of Object.entries(pkg.before[field] ?? {})) {
          if (range.startsWith('workspace:')) {
            assert.equal(pkg.after[field][name], range, `${pkg.name} ${field}.${name} changed`);
          }
        }
      }
    }
  });
});
