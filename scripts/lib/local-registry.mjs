// A throwaway npm registry for the publish test: Verdaccio on 127.0.0.1 (random free port), storage in
// a temp folder, anonymous access and publish, and no uplinks, so it never proxies to a public
// registry: a package it was not given is a 404.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverScript = fileURLToPath(new URL('./local-registry-server.mjs', import.meta.url));

/** The Verdaccio config: every package local, readable and publishable by anyone, no uplinks. */
function configYaml(dir) {
  return `# Written by scripts/lib/local-registry.mjs for one test run.
storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
uplinks: {}
packages:
  '**':
    access: $all
    publish: $all
    unpublish: $all
web:
  enable: false
log:
  type: stdout
  format: pretty
  level: warn
`;
}

/**
 * Starts the registry in a child process. Resolves with `{ url, port, stop }`; `stop()` ends the
 * child and resolves once it has exited (calling it twice is harmless).
 */
export async function startLocalRegistry(dir) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, configYaml(dir));
  const child = fork(serverScript, [configPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
  const port = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('Verdaccio did not start within 30 s')), 30_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolvePromise(message.port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Verdaccio exited before listening (${code ?? signal})`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    await exited;
  };
  return { url: `http://127.0.0.1:${port}/`, port, stop, pid: child.pid };
}
