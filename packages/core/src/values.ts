import { createEngine } from './engine/select.js';
import type { Engine } from './engine/types.js';

let shared: Engine | undefined;

function engine(): Engine {
  shared ??= createEngine('auto');
  return shared;
}

/**
 * The RFC 8785 (JCS) canonical JSON of a value: keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number formatting. Runs on the engine `engineInfo()` reports; both
 * engines give identical bytes. Throws `ERR_INVALID_VALUE` for anything that is not JSON
 * (ARCHITECTURE.md D1). Cost: one walk of the value.
 */
export function canonicalJson(value: unknown): string {
  return engine().canonicalJson(value);
}

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `canonicalJson(value)`. Throws
 * `ERR_INVALID_VALUE`. Cost: one walk of the value and one hash.
 */
export function valueHash(value: unknown): string {
  return engine().valueHash(value);
}
