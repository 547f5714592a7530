// The platform packages under npm/: one per napi target of package.json, each declaring the
// machine it installs on (os, cpu, libc) and the binary napi builds for that target, at
// @igniter/native's version. The release workflow publishes them (.github/workflows/release.yml).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const native = readJson(join(packageDir, 'package.json'));

/** What a Rust target triple means to npm: the platform name napi gives it, os, cpu and libc. */
function platformOf(triple) {
  const [arch, , system, abi] = triple.split('-');
  const cpu = { x86_64: 'x64', aarch64: 'arm64' }[arch];
  if (system === 'linux') {
    return { platform: `linux-${cpu}-${abi}`, os: 'linux', cpu, libc: abi === 'gnu' ? 'glibc' : 'musl' };
  }
  if (system === 'darwin') {
    return { platform: `darwin-${cpu}`, os: 'darwin', cpu };
  }
  assert.equal(system, 'windows', `unexpected target ${triple}`);
  return { platform: `win32-${cpu}-${abi}`, os: 'win32', cpu };
}

test('npm/ holds exactly one platform package per napi target', () => {
  const dirs = readdirSync(join(packageDir, 'npm'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(dirs, native.napi.targets.map((triple) => platformOf(triple).platform).sort());
  assert.equal(native.napi.targets.length, 7);
});

for (const triple of native.napi.targets) {
  const { platform, os, cpu, libc } = platformOf(triple);
  test(`${triple}: @igniter/native-${platform} installs only there and ships igniter.${platform}.node`, () => {
    const manifest = readJson(join(packageDir, 'npm', platform, 'package.json'));
    const binary = `igniter.${platform}.node`;
    assert.equal(manifest.name, `${native.napi.packageName}-${platform}`);
    assert.equal(manifest.version, native.version);
    assert.deepEqual(manifest.os, [os]);
    assert.deepEqual(manifest.cpu, [cpu]);
    assert.deepEqual(manifest.libc, libc === undefined ? undefined : [libc]);
    assert.equal(manifest.main, `./${binary}`);
    assert.deepEqual(manifest.exports, { '.': `./${binary}`, './package.json': './package.json' });
    assert.deepEqual(manifest.files, [binary]);
    assert.deepEqual(manifest.engines, native.engines);
    assert.equal(manifest.license, native.license);
    assert.deepEqual(manifest.publishConfig, { access: 'public' });
    assert.equal(manifest.scripts.prepack, 'node ../prepack.mjs');
    assert.ok(readFileSync(join(packageDir, 'npm', platform, 'README.md'), 'utf8').includes(triple));
  });
}
