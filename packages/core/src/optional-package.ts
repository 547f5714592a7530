import { createRequire } from 'node:module';
import { IgniterError } from './errors.js';

/** Loads an optional sibling package synchronously, or throws ERR_MISSING_PACKAGE. */
export function loadOptional<T>(name: string): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
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
