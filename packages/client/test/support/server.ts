import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IgniterServer, type ServerOptions } from '@igniter/server';

/** A temp directory; `cleanup()` removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-client-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real `@igniter/server` on a loopback port. */
export interface Running {
  server: IgniterServer;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts `createServer(options)` (port 0 = any free port unless given) and waits until it listens. */
export async function startServer(options: ServerOptions): Promise<Running> {
  const server = createServer({ port: 0, ...options });
  const { url } = await server.listen();
  return { server, url, port: Number(new URL(url).port), close: () => server.close() };
}
