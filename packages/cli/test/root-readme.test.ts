import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, exited, igniterProcess, tempDir } from './support/igniter.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Packages'));
const temp = tempDir();
beforeAll(() => assertBuilt());
afterAll(() => temp.cleanup());

/** The quick start's curl commands (continuation lines joined), each with its `# ...` comment. */
function curls(): Array<{ args: string[]; comment: string }> {
  const block = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)][1]?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.startsWith('curl '))
    .map((line) => {
      const [command = '', comment = ''] = line.split(/\s+# /);
      const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1);
      return { args, comment };
    });
}

/** Runs one curl argument list with fetch against `base` (for the README's 127.0.0.1:7300). */
async function curl(args: string[], base: string): Promise<string> {
  const headers: Record<string, string> = {};
  let method = 'GET';
  let body: string | undefined;
  let url = '';
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-X') method = args[++i] ?? '';
    else if (arg === '-H') {
      const [name = '', ...value] = (args[++i] ?? '').split(':');
      headers[name.trim()] = value.join(':').trim();
    } else if (arg === '-d') body = args[++i];
    else if (arg === '-N') continue;
    else url = arg.replace('http://127.0.0.1:7300', base);
  }
  const response = await fetch(url, { method, headers, body });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return response.text();
  // A stream: read until the first event is in, then stop.
  const reader = response.body?.getReader();
  let text = '';
  while (reader && !/id: [\s\S]*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader?.cancel();
  return text;
}

describe('the root README quick start', () => {
  it('pnpm igniter runs the built igniter bin', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(quickStart).toContain('pnpm igniter serve ./data/app.log');
    expect(pkg.scripts.igniter).toMatch(/&& node packages\/cli\/dist\/bin\.js$/);
  });

  it('its curl write, read and changefeed answer what its comments show, on igniter serve', async () => {
    const server = await igniterProcess(
      ['serve', join(temp.dir, 'app.log'), '--port', '0', '--log-level', 'silent'],
      /at (http:\/\/127\.0\.0\.1:\d+)\n/,
    );
    try {
      const [write, read, events] = curls();
      expect(write?.args.slice(0, 2)).toEqual(['-X', 'PUT']);
      const written = JSON.parse(await curl(write?.args ?? [], server.match[1] as string));
      expect(written.fact).toMatchObject({ seq: 1, store: 'tasks', key: 't1', value: { title: 'Buy milk' } });
      const readText = await curl(read?.args ?? [], server.match[1] as string);
      // The comment shows the answer with "..." for what varies (the id, the other fields).
      const shown = (read?.comment ?? '')
        .split('...')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      expect(shown).toContain('"seq":1');
      expect(readText).toMatch(new RegExp(`^${shown}$`));
      const stream = await curl(events?.args ?? [], server.match[1] as string);
      expect(stream).toContain(
        'id: 1\nevent: write\ndata: {"seq":1,"kind":"write","store":"tasks","key":"t1"',
      );
      expect(events?.comment).toMatch(/^id: 1 \/ event: write \/ data: /);
    } finally {
      server.child.kill('SIGINT');
      await exited(server.child);
    }
  });
});
