import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load only its own files and call only this server: no CDN, nothing from elsewhere
 * (and a value rendered by the page can never pull a script in).
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The directory of the built inspector app, or undefined when `@igniter/inspector` is not installed. */
async function inspectorDir(): Promise<string | undefined> {
  try {
    const inspector = await import('@igniter/inspector');
    return inspector.inspectorAppDir();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Serves the web inspector's static files at `/` (SERVER.md "Inspector") when
 * `@igniter/inspector` is installed: one route per file, read into memory once (the app is a few
 * tens of KB). Hashed assets are cached for good; `index.html` is revalidated. Needs no token:
 * the page asks for one when the `/v1` routes refuse it.
 */
export async function inspectorRoutes(app: FastifyInstance): Promise<void> {
  const dir = await inspectorDir();
  if (dir === undefined) return;
  for (const file of await filesUnder(dir)) {
    const path = relative(dir, file).split(sep).join('/');
    const body = await readFile(file);
    const headers = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(path.endsWith('.html')
        ? { 'content-security-policy': CONTENT_SECURITY_POLICY, 'referrer-policy': 'no-referrer' }
        : {}),
    };
    const answer = async (_request: unknown, reply: import('fastify').FastifyReply) =>
      reply.headers(headers).send(body);
    app.get(`/${path}`, answer);
    if (path === 'index.html') app.get('/', answer);
  }
}
