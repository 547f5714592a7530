import type { Json, JsonObject } from '../json.js';
import { RecentStrings } from './recent-strings.js';
import { startsAt } from './starts-at.js';

/**
 * Decoding of the commonest stored value, a flat JSON object (every member a string, number,
 * boolean or null), without `JSON.parse`: its members are read straight off the text and the
 * object is built by a factory made once per shape (the sequence of keys), as an object
 * literal. `JSON.parse` interns every short string value in V8's string table, a cache miss
 * per distinct value once the table is large (most of a first read's decode time in the
 * peers benchmark); a slice is not interned. The result is the object `JSON.parse` gives
 * (same keys in the same order, same values, `Object.prototype`), not yet frozen.
 *
 * Only texts it can read exactly are taken: no backslash anywhere (so strings are the bytes
 * between their quotes), keys that are neither `__proto__` (a literal would set the
 * prototype) nor start with a digit (array indexes, which objects order first), and numbers
 * either exact by construction (at most 15 digits: an integer below 2^53 divided by a power
 * of ten, both exact, rounds once, as `JSON.parse` does) or handed to `Number`. Anything else
 * (nested values, an unknown shape, whitespace) returns undefined and the caller parses.
 */

/** Shapes tried, most recently used first; a text is tried against them in this order. */
const MAX_SHAPES = 8;
/** Shapes made at most (a factory is compiled once per shape); past it, no new ones. */
const MAX_MADE = 64;
/** Members of the largest shape learnt. */
const MAX_MEMBERS = 32;
/** Digits below which a decimal is an exact integer over an exact power of ten. */
const EXACT_DIGITS = 15;
const POW10 = Array.from({ length: EXACT_DIGITS + 1 }, (_, i) => 10 ** i);

const QUOTE = 34;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const PLUS = 43;
const CLOSE = 125;

export interface Shape {
  /** `{"key":` for the first member, `,"key":` for the others: the text before each value. */
  readonly prefixes: readonly string[];
  readonly make: (values: readonly Json[]) => JsonObject;
  /** Per member, the strings it keeps having (shared between decoded values). */
  readonly strings: readonly RecentStrings[];
}

const shapes: Shape[] = [];
/** Every shape made, by its keys joined with U+0000. */
const made = new Map<string, Shape>();
/** Values of the text being read, in member order (reused; overwritten by the next text). */
const scratch: Json[] = [];

/** The flat object `text` holds, when it has a known shape; undefined to let `JSON.parse` read it. */
export function decodeFlatObject(text: string): JsonObject | undefined {
  if (text.charCodeAt(0) !== 123 || text.indexOf('\\') !== -1) return undefined;
  for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s] as Shape;
    if (!readMembers(text, shape)) continue;
    if (s > 0) use(shape);
    return shape.make(scratch);
  }
  return undefined;
}

/**
 * Remembers the shape of `value`, just parsed from canonical text, when it is flat, and
 * returns it (undefined when it is not flat or no more shapes are made).
 */
export function learnShape(value: JsonObject): Shape | undefined {
  const keys = Object.keys(value);
  if (keys.length === 0 || keys.length > MAX_MEMBERS) return undefined;
  const id = keys.join('\u0000');
  const known = made.get(id);
  if (known !== undefined) {
    use(known);
    return known;
  }
  if (made.size >= MAX_MADE) return undefined;
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (key === '__proto__' || (first >= ZERO && first <= NINE)) return undefined;
    // A key written with an escape never matches: texts with a backslash are not read here.
    if (JSON.stringify(key).includes('\\')) return undefined;
    const member = value[key];
    if (typeof member === 'object' && member !== null) return undefined;
  }
  const body = keys.map((key, i) => `${JSON.stringify(key)}: v[${i}]`).join(', ');
  // One factory per shape: an object literal with the keys in order, the fastest way V8 has
  // to build an object whose keys are known. The keys are quoted by JSON.stringify, so the
  // source holds nothing but string literals and indexes.
  const make = new Function('v', `return { ${body} };`) as Shape['make'];
  // Two throwaway objects, every member a string then a double, settle each field's
  // representation on the most general one before any value is built: otherwise a member
  // that is an integer in the first values and a fraction later (an amount) changes the
  // shape's map, and every object built before is migrated on its next read (a repeated
  // read of each cached value paid ~0.1 µs for it).
  for (const probe of ['', 0.5]) Object.freeze(make(keys.map(() => probe)));
  const prefixes = keys.map((key, i) => `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`);
  const shape = { prefixes, make, strings: keys.map(() => new RecentStrings()) };
  made.set(id, shape);
  use(shape);
  return shape;
}

/** Puts `shape` first among the shapes tried. */
function use(shape: Shape): void {
  const at = shapes.indexOf(shape);
  if (at === 0) return;
  if (at > 0) shapes.splice(at, 1);
  else if (shapes.length >= MAX_SHAPES) shapes.pop();
  shapes.unshift(shape);
}

/** Reads the members of `text` into `scratch` if it has exactly this shape; true if so. */
function readMembers(text: string, shape: Shape): boolean {
  const prefixes = shape.prefixes;
  let at = 0;
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i] as string;
    if (!startsAt(text, prefix, at)) return false;
    at = readValue(text, at + prefix.length, i, shape.strings[i] as RecentStrings);
    if (at < 0) return false;
  }
  return at === text.length - 1 && text.charCodeAt(at) === CLOSE;
}

/** Reads the primitive value at `at` into `scratch[slot]`; returns where it ends, -1 if it is not one. */
function readValue(text: string, at: number, slot: number, strings: RecentStrings): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) {
    const end = text.indexOf('"', at + 1);
    if (end < 0) return -1;
    scratch[slot] = strings.take(text, at + 1, end);
    return end + 1;
  }
  if (c === 116) return literal(text, at, 'true', true, slot);
  if (c === 102) return literal(text, at, 'false', false, slot);
  if (c === 110) return literal(text, at, 'null', null, slot);
  return readNumber(text, at, slot);
}

function literal(text: string, at: number, word: string, value: Json, slot: number): number {
  if (!startsAt(text, word, at)) return -1;
  scratch[slot] = value;
  return at + word.length;
}

function readNumber(text: string, start: number, slot: number): number {
  let at = start;
  let c = text.charCodeAt(at);
  const negative = c === MINUS;
  if (negative) c = text.charCodeAt(++at);
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (c >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    digits++;
    c = text.charCodeAt(++at);
  }
  if (digits === 0) return -1;
  if (c === DOT) {
    c = text.charCodeAt(++at);
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      fraction++;
      c = text.charCodeAt(++at);
    }
    if (fraction === 0) return -1;
  }
  if (c === LOWER_E || c === UPPER_E || digits > EXACT_DIGITS) {
    while (c === LOWER_E || c === UPPER_E || c === PLUS || c === MINUS || (c >= ZERO && c <= NINE))
      c = text.charCodeAt(++at);
    const value = Number(text.slice(start, at));
    if (Number.isNaN(value)) return -1;
    scratch[slot] = value;
    return at;
  }
  const magnitude = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
  scratch[slot] = negative ? -magnitude : magnitude;
  return at;
}
