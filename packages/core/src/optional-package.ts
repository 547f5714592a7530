import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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

/** The `import` entry of the package `name` whose CommonJS entry is `cjsEntry`, if it has one. */
function esmEntryOf(cjsEntry: string, name: string): string | undefined {
  for (let dir = dirname(cjsEntry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      name?: string;
      exports?: { '.'?: { import?: string | { default?: string } } };
    };
    if (pkg.name !== name) continue;
    const entry = pkg.exports?.['.']?.import;
    const file = typeof entry === 'string' ? entry : entry?.default;
    return file === undefined ? undefined : join(dir, file);
  }
  return undefined;
}

/**
 * The sibling package as the application resolves it (from its main script's folder, else the
 * working directory), in this module's system; undefined when the application has not installed
 * it either. A strict node_modules layout (pnpm) links into core's folder only what core's
 * manifest names, and it names no sibling (that would be a dependency cycle), so a sibling the
 * application installed is found from the application's side.
 */
function loadFromApplication(name: string): unknown {
  const bases = [process.argv[1], join(process.cwd(), 'index.js')].filter(
    (base): base is string => typeof base === 'string' && base !== '',
  );
  for (const base of bases) {
    let cjsEntry: string;
    try {
      cjsEntry = createRequire(resolve(base)).resolve(name);
    } catch (error) {
      if (isNotFound(error)) continue;
      throw error;
    }
    // The ESM build loads the sibling's ESM build (one copy of core per module system).
    const esm = typeof import.meta.resolve === 'function' ? esmEntryOf(cjsEntry, name) : undefined;
    if (esm === undefined) return requireHere(cjsEntry);
    try {
      return requireHere(esm);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ESM') return requireHere(cjsEntry);
      throw error;
    }
  }
  return undefined;
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
 * package from core's folder, else from the application's (see `loadFromApplication`). Core's
 * manifest names no edge to it, so the workspace has no dependency cycle.
 */
export function loadOptional<T>(name: OptionalPackageName): T {
  const ready = provided.get(name);
  if (ready !== undefined) return ready as T;
  try {
    return loadSibling(name) as T;
  } catch (error) {
    if (isNotFound(error)) {
      const fromApplication = loadFromApplication(name);
      if (fromApplication !== undefined) return fromApplication as T;
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
