import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ScriptChild, spawnNodeScript } from '@igniter/core/testing';

export { waitForLine } from '@igniter/core/testing';

const here = dirname(fileURLToPath(import.meta.url));

/** Child processes run the built package; `pnpm test` builds it first (turbo's test depends on build). */
export function assertBuilt(): void {
  const dist = resolve(here, '../../dist/index.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` before these tests`);
}

/** Spawns `node test/support/<script> ...args`, collecting its stdout lines. */
export function spawnScript(script: string, args: string[]): ScriptChild {
  return spawnNodeScript(join(here, script), args);
}
