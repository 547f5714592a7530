import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A child Node process with its stdout lines as they arrive. */
export interface ScriptChild {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  exited: Promise<void>;
}

/** Spawns `node <scriptPath> ...args` and collects its stdout lines (crash tests kill it at will). */
export function spawnNodeScript(scriptPath: string, args: readonly string[]): ScriptChild {
  const child = spawn(process.execPath, [scriptPath, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  return { child, lines, exited };
}

/** Resolves with the first line matching `pattern` once it arrives; rejects after `ms`. */
export async function waitForLine(lines: string[], pattern: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) {
      throw new Error(`no line matching ${pattern} within ${ms} ms: ${JSON.stringify(lines)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** mulberry32: a small seeded PRNG in [0, 1), so that a failing crash run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The child-script helpers of a package's tests, given its `test/support` folder: `assertBuilt`
 * (children run the built package; `pnpm test` builds it first, turbo's test depends on build)
 * and `spawnScript` (`node test/support/<script> ...args`, collecting its stdout lines).
 */
export function packageScripts(supportDir: string): {
  assertBuilt(): void;
  spawnScript(script: string, args: string[]): ScriptChild;
} {
  return {
    assertBuilt() {
      const dist = resolve(supportDir, '../../dist/index.js');
      if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` before these tests`);
    },
    spawnScript: (script, args) => spawnNodeScript(join(supportDir, script), args),
  };
}
