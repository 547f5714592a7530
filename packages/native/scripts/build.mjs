// Builds the addon with `napi build`, or skips when Rust is not installed, so that
// `pnpm install && pnpm build` works everywhere and @igniter/core falls back to its TS engine.
// Usage: node scripts/build.mjs [--debug] [napi build flags, e.g. --target <triple> -x]
// (the release workflow passes --target and the cross-compile flags of each platform)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
if (cargo.error || cargo.status !== 0) {
  console.log(
    '@igniter/native: cargo is not on PATH, skipping the native build (@igniter/core will use its TypeScript engine).',
  );
  process.exit(0);
}

const require = createRequire(import.meta.url);
const cliPackageJson = require.resolve('@napi-rs/cli/package.json');
const cliBin = JSON.parse(readFileSync(cliPackageJson, 'utf8')).bin.napi;
const cli = join(dirname(cliPackageJson), cliBin);

const release = !process.argv.includes('--debug');
const args = [
  cli,
  'build',
  '--platform',
  '--manifest-path',
  '../../crates/igniter-napi/Cargo.toml',
  '--package-json-path',
  'package.json',
  '--output-dir',
  '.',
  '--js',
  'binding.js',
  '--dts',
  'binding.d.ts',
  ...(release ? ['--release'] : []),
  ...process.argv.slice(2).filter((arg) => arg !== '--debug'),
];
const build = spawnSync(process.execPath, args, { cwd: packageDir, stdio: 'inherit' });
if (build.error) {
  throw build.error;
}
process.exit(build.status ?? 1);
