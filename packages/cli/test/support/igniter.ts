import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** Throws unless the CLI is built (the tests run the real `igniter` bin). */
export function assertBuilt(): void {
  if (!existsSync(bin)) throw new Error('build @igniter/cli first (pnpm build)');
}

/** What one `igniter` run printed and how it exited. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `igniter ...args` to completion, with `input` on stdin. */
export function igniter(args: string[], input = ''): Run {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a long-running `igniter ...args` (serve, tail); resolves once stdout has a line matching `ready`. */
export function igniterProcess(
  args: string[],
  ready: RegExp,
  cwd?: string,
): Promise<{ child: ChildProcess; output: () => string; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) resolve({ child, output: () => out, match });
    });
    child.stderr?.resume();
    child.once('exit', (code) =>
      reject(new Error(`igniter ${args[0]} exited (${code}) before it was ready: ${out}`)),
    );
  });
}

/** Resolves with the exit code of `child` (null when a signal ended it), also once it has ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A temp directory removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
