// `pnpm release:check`: builds, packs every publishable package with `pnpm pack` (what a publish
// uploads) and runs publint, @arethetypeswrong/cli and the surface checks over each tarball.
// Exits 1 when any package fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTarballs } from './lib/package-checks.mjs';
import { packPackages, publishablePackages, run } from './lib/workspace.mjs';

const packDir = mkdtempSync(join(tmpdir(), 'igniter-release-check-'));
try {
  run('pnpm', ['run', 'build']);
  const packed = packPackages(publishablePackages(), packDir);
  const failed = await checkTarballs(packed);
  console.log(`\nrelease:check: ${packed.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) {
    console.log(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
