import { encodeValue, isWellFormed } from '../canonical.js';
import { isJsonObjectClass, MAX_JSON_DEPTH } from '../json.js';

type WellFormedString = string & { isWellFormed(): boolean };

export { JSON_OBJECT_CLASS } from '../json.js';

/** `String.prototype.isWellFormed` where the runtime has it (Node >= 20), called directly. */
export const wellFormed: (text: string) => boolean =
  typeof (String.prototype as Partial<WellFormedString>).isWellFormed === 'function'
    ? (text) => (text as WellFormedString).isWellFormed()
    : isWellFormed;

/** True when `value` is a JSON value per ARCHITECTURE.md D1; the same verdict as `encodeValue`, faster. */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      // A cycle also ends here; encodeValue then names it as one.
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null && !isJsonObjectClass(proto)) return false;
      const record = value as Record<string, unknown>;
      // for-in with an own-property check visits what Object.keys lists, without the array.
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        if (!wellFormed(key) || !isPlainJson(record[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Validates `value` per ARCHITECTURE.md D1 and returns it as JSON text for the native engine, which
 * canonicalizes it. `JSON.stringify` alone would silently drop `undefined` and functions, so a
 * walk checks first; a value it rejects goes through `encodeValue`, which throws the very
 * `ERR_INVALID_VALUE` the TS engine throws. For a valid value the text has exactly the length
 * of its canonical form (same escaping and number formatting, keys in another order).
 * Cost: one walk plus `JSON.stringify`.
 */
export function jsonText(value: unknown, path = 'value'): string {
  if (!isPlainJson(value, 0)) encodeValue(value, path);
  return JSON.stringify(value);
}

/** Starts a string that crossed the boundary as JSON text (see {@link toBoundaryText}). */
const ESCAPED = '\u0000';

/**
 * A free-form string (causation, idempotency key) as it crosses into Rust, whose strings are
 * UTF-8 and cannot hold a lone UTF-16 surrogate: such a string, or one that starts with the
 * marker itself, crosses as the marker plus its JSON text, which {@link fromBoundaryText}
 * turns back into the very same string.
 */
export function toBoundaryText(text: string | null): string | null {
  if (text === null || (wellFormed(text) && !text.startsWith(ESCAPED))) return text;
  return ESCAPED + JSON.stringify(text);
}

/** The string {@link toBoundaryText} sent. */
export function fromBoundaryText(text: string | null): string | null {
  return text?.startsWith(ESCAPED) ? (JSON.parse(text.slice(ESCAPED.length)) as string) : text;
}
