import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = readdirSync(join(root, 'expected'))
  .filter((name) => name.endsWith('.txt'))
  .map((name) => name.slice(0, -'.txt'.length));

function run(example: string, engine: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, `${example}.mjs`)], {
    cwd: root,
    env: { ...process.env, IGNITER_ENGINE: engine },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(['ts', 'native'])('examples on the %s engine', (engine) => {
  it('covers every example program with an expected output', () => {
    const programs = readdirSync(root).filter((name) => name.endsWith('.mjs'));
    expect(programs.map((name) => name.slice(0, -'.mjs'.length)).sort()).toEqual([...examples].sort());
  });

  it.each(examples)('%s prints exactly its expected output', (example) => {
    const { status, stdout, stderr } = run(example, engine);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe(readFileSync(join(root, 'expected', `${example}.txt`), 'utf8'));
  });
});
