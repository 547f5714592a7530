import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of the built inspector app (`index.html` and its `assets/`), static files that
 * `@igniter/server` serves at `/`. Resolved next to this module, so it works wherever the package
 * is installed. Cost: none.
 *
 * @example
 * import { inspectorAppDir } from '@igniter/inspector';
 * console.log(inspectorAppDir()); // .../node_modules/@igniter/inspector/dist/app
 */
export function inspectorAppDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'app');
}
