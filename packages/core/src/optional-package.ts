import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { IgniterError } from './errors.js';

const requireHere = createRequire(import.meta.url);

/**
 * Resolves `specifier` with `import.meta.resolve` where this module runs as ESM; undefined in the
 * CommonJS build (where the bundler defines `import.meta.resolve` as undefined) and in test
 * runners that do not provide it. Called on `import.meta` itself: Bun refuses a detached one.
 */
function resolveAsEsm(specifier: string): string | undefined {
  return typeof import.meta.resolve === 'function' ? import.meta.resolve(specifier) : undefined;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * The module a sibling package's entry point resolves to, in this module's own system: the ESM
 * build of core loads the package's ESM build (resolved with the `import` condition, then loaded
 * synchronously with `require(esm)`, so it is the very module instance an `import` of it gives,
 * and it imports this same copy of core); the CommonJS build requires its CommonJS build. Either
 * way the process holds one copy of core per module system, and `instanceof IgniterError` holds
 * for errors the sibling throws (ARCHITECTURE.md, "Packages and module systems").
 */
function loadSibling(name: string): unknown {
  const url = resolveAsEsm(name);
  if (url === undefined || !url.startsWith('file:')) return requireHere(name);
  try {
    return requireHere(fileURLToPath(url));
  } catch (error) {
    // Node 20.17-20.18 and 22.0-22.11 load ESM with require() only behind a flag: there the
    // CommonJS build is the only synchronous choice (and brings its own copy of core).
    if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ESM') return requireHere(name);
    throw error;
  }
}

/** The sibling packages core loads lazily. */
export type OptionalPackageName = '@igniter/backend-file' | '@igniter/protocol';

const provided = new Map<OptionalPackageName, unknown>();

/**
 * Called by `@igniter/backend-file` and `@igniter/protocol` as they load, with what core takes
 * from them: the copy of core a sibling imports then uses it without resolving it again. Not
 * for applications.
 */
export function provideOptionalPackage(name: OptionalPackageName, exports: object): void {
  provided.set(name, exports);
}

/**
 * An optional sibling package, or ERR_MISSING_PACKAGE: the one it provided to this copy of core
 * when the application imported it, else loaded synchronously, found the way Node finds any
 * package from core's folder (the application's node_modules). Core's manifest names no edge
 * to it, so the workspace has no dependency cycle.
 */
export function loadOptional<T>(name: OptionalPackageName): T {
  const ready = provided.get(name);
  if (ready !== undefined) return ready as T;
  try {
    return loadSibling(name) as T;
  } catch (error) {
    if (isNotFound(error)) {
      throw new IgniterError(
        'ERR_MISSING_PACKAGE',
        `${name} is not installed; add it with: pnpm add ${name}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
