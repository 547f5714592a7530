// Checks of one packed tarball: publint, @arethetypeswrong/cli and the surface every published
// @igniter package promises (ARCHITECTURE.md "Packages and module systems", issue 12).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { isPlatformPackage, repoRoot, run, tarballFiles, tarballManifest } from './workspace.mjs';

const attwBin = join(repoRoot, 'node_modules', '.bin', 'attw');

function runAsync(command, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, output }));
  });
}

/** publint over the tarball; every message, suggestions included, is a failure. */
async function runPublint(pkg) {
  const tarball = readFileSync(pkg.tarball);
  const { messages, pkg: manifest } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  const lines = messages.map(
    (message) => `  ${message.type}: ${formatMessage(message, manifest, { color: false })}`,
  );
  return { ok: messages.length === 0, text: messages.length === 0 ? 'publint: all good' : lines.join('\n') };
}

/** @arethetypeswrong/cli over the tarball, strict profile (node10, node16 CJS and ESM, bundler). */
async function runAttw(pkg) {
  const { status, output } = await runAsync(attwBin, [
    pkg.tarball,
    '--profile',
    'strict',
    '--format',
    'table-flipped',
    '--no-emoji',
    '--no-color',
  ]);
  return { ok: status === 0, text: `attw (exit ${status}):\n${output.trimEnd()}` };
}

/** Keys of every object in an exports map that holds `types` must start with it. */
function typesFirstProblems(value, path) {
  if (value === null || typeof value !== 'object') {
    return [];
  }
  const keys = Object.keys(value);
  const problems = [];
  if (keys.includes('types') && keys[0] !== 'types') {
    problems.push(`${path}: "types" is not the first condition`);
  }
  for (const key of keys) {
    problems.push(...typesFirstProblems(value[key], `${path}["${key}"]`));
  }
  return problems;
}

/** The surface fields and tarball contents issue 12 asks of every package. */
function surfaceProblems(pkg) {
  const manifest = tarballManifest(pkg.tarball);
  const files = tarballFiles(pkg.tarball);
  const problems = [];
  const expect = (condition, problem) => {
    if (!condition) {
      problems.push(problem);
    }
  };
  expect(manifest.license === 'MIT', `license is ${JSON.stringify(manifest.license)}, not "MIT"`);
  expect(manifest.engines?.node === '>=20.17', `engines.node is ${JSON.stringify(manifest.engines?.node)}`);
  expect(manifest.publishConfig?.access === 'public', 'publishConfig.access is not "public"');
  expect(Array.isArray(manifest.files), 'no files whitelist');
  expect(manifest.sideEffects === false, 'sideEffects is not false');
  expect(files.includes('README.md'), 'no README.md in the tarball');
  expect(manifest.exports?.['./package.json'] === './package.json', 'exports has no "./package.json"');
  problems.push(...typesFirstProblems(manifest.exports, 'exports'));
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      expect(!String(range).startsWith('workspace:'), `${field}.${name} is still ${range}`);
    }
  }
  const binaries = files.filter((file) => file.endsWith('.node'));
  if (isPlatformPackage(pkg)) {
    const main = String(manifest.main).replace(/^\.\//, '');
    expect(
      JSON.stringify(binaries) === JSON.stringify([main]),
      `holds ${JSON.stringify(binaries)}, not exactly its main ${main}`,
    );
  } else {
    expect(
      binaries.length === 0,
      `holds native binaries ${binaries.join(', ')} (they ship in platform packages)`,
    );
    expect(
      typeof manifest.types === 'string' && files.includes(manifest.types.replace(/^\.\//, '')),
      'no types',
    );
  }
  for (const file of files.filter((name) => /\.d\.c?ts$/.test(name))) {
    const text = run('tar', ['-xzOf', pkg.tarball, `package/${file}`], { capture: true, quiet: true });
    expect(!text.includes('@internal'), `${file} publishes @internal members (stripInternal)`);
  }
  if (manifest.type === 'module') {
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath !== './package.json') {
        expect(target.import && target.require, `exports["${subpath}"] lacks an import or a require build`);
      }
    }
  }
  return {
    ok: problems.length === 0,
    text: problems.length === 0 ? 'surface: all good' : problems.join('\n'),
  };
}

/**
 * Runs every check over each packed package (publint and attw in parallel); prints a report per
 * package and returns the names of those that failed.
 */
export async function checkTarballs(packages) {
  const reports = await Promise.all(
    packages.map(async (pkg) => {
      const [lint, types] = await Promise.all([runPublint(pkg), runAttw(pkg)]);
      return { pkg, results: [lint, types, surfaceProblems(pkg)] };
    }),
  );
  const failed = [];
  for (const { pkg, results } of reports) {
    const ok = results.every((result) => result.ok);
    console.log(`\n== ${pkg.name}@${pkg.version}: ${ok ? 'ok' : 'FAILED'}`);
    for (const result of results) {
      console.log(result.text);
    }
    if (!ok) {
      failed.push(pkg.name);
    }
  }
  return failed;
}
