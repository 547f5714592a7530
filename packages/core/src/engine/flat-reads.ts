import type { Json, JsonObject } from '../json.js';
import { learnShape, type Shape } from './flat-json.js';
import { decodeJson } from './native-fact.js';

/**
 * The values the native log's value reads hand over, decoded with the help of the log: for a
 * flat object, the log has already checked its keys (an id per key sequence), parsed its
 * numbers and found the strings it keeps having, and written all that into `out`
 * (`crates/igniter-napi/src/native_log/flat_read.rs`); JS only takes strings out of the text
 * and builds the object with the factory of its shape (`flat-json.ts`). Measured on the peers
 * workload's values, the key checks and number parsing were most of the JS decode's time.
 */

/** Numbers of a value read's `out`: the slot, a key sequence id, two per member of up to 32. */
export const VALUE_OUT = 2 + 2 * 32;
/** Where the members start in `out`. */
const MEMBERS_AT = 2;

/** Values of the members being built (reused; overwritten by the next value). */
const scratch: Json[] = [];

export class FlatReads {
  /** Where `readValue` puts the slot of a value it hands over, and both reads the members. */
  readonly out = new Float64Array(VALUE_OUT);
  /** The shapes of the log's key sequence ids (null: the decoder has none for that id). */
  #shapes: (Shape | null | undefined)[] = [];
  /** Per key sequence id, per member, the strings the log told this reader to keep. */
  #kept: string[][][] = [];

  /**
   * The value of `text`, which a value read just handed over (deep-frozen): built from the
   * members the log read into `out` when it read them (`out[1]`, the id of the key sequence,
   * is not -1), with the shape learnt from the first text of that id; else `decodeJson`.
   */
  decode(text: string): Json {
    const out = this.out;
    const id = out[1] as number;
    if (id < 0) return decodeJson(text);
    let shape = this.#shapes[id];
    if (shape === undefined) {
      // The first text of this id: every later one's kept strings count from this one's.
      shape = learnShape(JSON.parse(text) as JsonObject) ?? null;
      this.#shapes[id] = shape;
      this.#kept[id] = shape === null ? [] : shape.prefixes.map(() => []);
    }
    if (shape === null) return decodeJson(text);
    const value = buildFlatObject(text, shape, out, this.#kept[id] as string[][]);
    // A kept string missing (never expected: both sides keep them in step): parse the text.
    return value === undefined ? decodeJson(text) : Object.freeze(value);
  }

  /** Forgets the ids (the engine took another log: its ids are its own). */
  clear(): void {
    this.#shapes = [];
    this.#kept = [];
  }
}

/** Member kinds in a read done by the native log (`crates/igniter-napi/.../flat_read.rs`). */
const READ_NUMBER = -1;
const READ_BOOLEAN = -2;
const READ_NULL = -3;

/**
 * The flat object of `shape` whose members the native log read out of `text` into `members`
 * (two numbers per member: a string's start and end in `text`; a kind and the
 * number, boolean or null; or a string kept before, by its index in the member's `kept`, or
 * a string to keep from now on), not yet frozen; undefined when a kept string is missing
 * (the caller then parses the text). The caller knows that `text` has exactly this shape's
 * keys: the log gave its key sequence an id, and the shape was learnt from a text of that id.
 */
function buildFlatObject(
  text: string,
  shape: Shape,
  members: Float64Array,
  kept: string[][],
): JsonObject | undefined {
  const count = shape.prefixes.length;
  for (let i = 0; i < count; i++) {
    const kind = members[MEMBERS_AT + 2 * i] as number;
    const second = members[MEMBERS_AT + 2 * i + 1] as number;
    if (kind >= 0) {
      if (second >= 0) scratch[i] = text.slice(kind, second);
      else {
        const value = text.slice(kind, -second - 1);
        (kept[i] as string[]).push(value);
        scratch[i] = value;
      }
    } else if (kind === READ_NUMBER) scratch[i] = second;
    else if (kind === READ_BOOLEAN) scratch[i] = second === 1;
    else if (kind === READ_NULL) scratch[i] = null;
    else {
      const value = (kept[i] as string[])[second];
      if (value === undefined) return undefined;
      scratch[i] = value;
    }
  }
  return shape.make(scratch);
}
