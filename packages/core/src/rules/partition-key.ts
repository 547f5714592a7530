import type { Json } from '../json.js';

/**
 * The target key a partition value names: a string as itself, anything else as its JSON text.
 * `undefined` when the value names no key (null, or an empty string).
 */
export function partitionKeyOf(
  value: Json | undefined,
  canonical: (value: Json) => string,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : canonical(value);
}
