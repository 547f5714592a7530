import { IgniterError } from './errors.js';
import { isJsonObjectClass, type Json, MAX_JSON_DEPTH } from './json.js';

type WellFormedString = string & { isWellFormed?: () => boolean };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string has no lone UTF-16 surrogate (so it survives UTF-8). */
export function isWellFormed(text: string): boolean {
  const probe = (text as WellFormedString).isWellFormed;
  return probe ? probe.call(text) : !LONE_SURROGATE.test(text);
}

function invalid(path: string, what: string): IgniterError {
  return new IgniterError('ERR_INVALID_VALUE', `${path} ${what}; only JSON values can be stored`);
}

function encodeString(text: string, path: string): string {
  if (!isWellFormed(text)) throw invalid(path, 'contains a lone UTF-16 surrogate');
  // JSON.stringify escapes exactly what RFC 8785 asks for on well-formed strings.
  return JSON.stringify(text);
}

function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The result of validating a value: its canonical JSON and a deep-frozen copy. */
export interface EncodedValue {
  canonical: string;
  copy: Json;
}

class Encoder {
  private readonly ancestors = new Set<object>();
  constructor(private readonly copy: boolean) {}

  encode(value: unknown, path: string, depth: number): [string, Json] {
    switch (typeof value) {
      case 'string':
        return [encodeString(value, path), value];
      case 'number':
        if (!Number.isFinite(value)) throw invalid(path, `is ${String(value)}`);
        // String(-0) is "0", as RFC 8785 requires.
        return [String(value), Object.is(value, -0) ? 0 : value];
      case 'boolean':
        return [value ? 'true' : 'false', value];
      case 'object':
        if (value === null) return ['null', null];
        return this.encodeContainer(value, path, depth);
      default:
        throw invalid(path, `is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`);
    }
  }

  private encodeContainer(value: object, path: string, depth: number): [string, Json] {
    if (depth >= MAX_JSON_DEPTH) throw invalid(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    if (this.ancestors.has(value)) throw invalid(path, 'is a cycle');
    this.ancestors.add(value);
    try {
      return Array.isArray(value)
        ? this.encodeArray(value, path, depth)
        : this.encodeObject(value, path, depth);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private encodeArray(value: unknown[], path: string, depth: number): [string, Json] {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw invalid(path, 'is not a plain array');
    const parts: string[] = new Array(value.length);
    const copy: Json[] | undefined = this.copy ? new Array(value.length) : undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw invalid(`${path}[${i}]`, 'is a hole in a sparse array');
      const [text, item] = this.encode(value[i], `${path}[${i}]`, depth + 1);
      parts[i] = text;
      if (copy) copy[i] = item;
    }
    return [`[${parts.join(',')}]`, copy ? (Object.freeze(copy) as Json) : (value as Json)];
  }

  private encodeObject(value: object, path: string, depth: number): [string, Json] {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && !isJsonObjectClass(proto)) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw invalid(path, `is a ${name} instance, not a plain object`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareUtf16);
    const parts: string[] = new Array(keys.length);
    const copy: Record<string, Json> | undefined = this.copy ? {} : undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const childPath = `${path}.${key}`;
      const [text, item] = this.encode(record[key], childPath, depth + 1);
      parts[i] = `${encodeString(key, childPath)}:${text}`;
      if (copy) {
        // An own "__proto__" key is data; plain assignment would set the prototype instead.
        if (key === '__proto__') {
          Object.defineProperty(copy, key, {
            value: item,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          copy[key] = item;
        }
      }
    }
    return [`{${parts.join(',')}}`, copy ? Object.freeze(copy) : (record as Json)];
  }
}

/**
 * Validates `value` per ARCHITECTURE.md D1 and returns its RFC 8785 canonical JSON together with a
 * deep-frozen copy (the caller's object is never frozen). Throws `ERR_INVALID_VALUE`.
 * Cost: one walk of the value.
 */
export function encodeValue(value: unknown, path = 'value'): EncodedValue {
  const [canonical, copy] = new Encoder(true).encode(value, path, 0);
  return { canonical, copy };
}

/**
 * Validates `value` per ARCHITECTURE.md D1 and returns its RFC 8785 canonical JSON (pure TypeScript).
 * Throws `ERR_INVALID_VALUE`. Cost: one walk of the value.
 */
export function canonicalJsonTs(value: unknown, path = 'value'): string {
  return new Encoder(false).encode(value, path, 0)[0];
}

/**
 * Validates `value` per ARCHITECTURE.md D1 without building its canonical form. Throws `ERR_INVALID_VALUE`.
 */
export function assertJson(value: unknown, path = 'value'): asserts value is Json {
  new Encoder(false).encode(value, path, 0);
}
