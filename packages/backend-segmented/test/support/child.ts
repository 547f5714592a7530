import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Child processes run the built package; `pnpm test` builds it first (turbo's test depends on build). */
export function assertBuilt(): void {
  const dist = resolve(here, '../../dist/index.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` before these tests`);
}

/** A child running `node test/support/<script> ...args`, with its stdout lines as they arrive. */
export interface Child {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  exited: Promise<void>;
}

/** Spawns `node test/support/<script> ...args`. */
export function spawnScript(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [join(here, script), ...args], { stdio: 'pipe' });
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
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern} within ${ms} ms: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
