import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Children run the built package; `pnpm test` builds it first (turbo's test depends on build). */
export function assertBuilt(): void {
  const dist = resolve(here, '../../dist/index.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` before these tests`);
}

/** Spawns `node test/support/<script> ...args`; `lines` collects its stdout lines. */
export function spawnScript(
  script: string,
  args: string[],
): { child: ChildProcessWithoutNullStreams; lines: string[]; exited: Promise<void> } {
  const child = spawn(process.execPath, [join(here, script), ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolveExit) => child.once('close', () => resolveExit()));
  return { child, lines, exited };
}

/** Resolves once `lines` holds a line matching `pattern` (polling), or rejects after `ms`. */
export async function waitForLine(lines: string[], pattern: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern} within ${ms} ms; got ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
