import { inspect } from 'node:util';
import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';
import { decodeFlatObject, learnShape } from './flat-json.js';
import { fromBoundaryText, JSON_OBJECT_CLASS } from './json-text.js';
import {
  PACKED_FACT_GROUP,
  PACKED_FACT_STRIDE,
  SLOT_CAUSATION_LENGTH,
  SLOT_DERIVATION_LENGTH,
  SLOT_ID_LENGTH,
  SLOT_IDEMPOTENCY_KEY_LENGTH,
  SLOT_KEY_LENGTH,
  SLOT_PRODUCER_LENGTH,
  SLOT_SCHEMA_VERSION,
  SLOT_SEQ,
  SLOT_STORE_INDEX,
  SLOT_TRANSACTION_TIME,
  SLOT_VALID_TIME,
  SLOT_VALUE_HASH_LENGTH,
  SLOT_VALUE_LENGTH,
} from './native-binding.js';

/** Freezes a freshly parsed JSON value and everything inside it; returns it. */
export function freezeParsed<T extends Json>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      for (const child of value) {
        if (typeof child === 'object' && child !== null) freezeParsed(child);
      }
    } else {
      // for-in walks the keys without allocating an array of them.
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const child = value[key];
        if (typeof child === 'object' && child !== null) freezeParsed(child);
      }
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * Decodes canonical JSON text into a deep-frozen value (keys land in canonical order, as the
 * TS engine's copies have them). An object or array whose text holds no `{` or `[` after its
 * first character has nothing nested to walk (the commonest value, a flat record): one freeze.
 * A bracket inside a string only sends the value down the full walk. A flat object of a
 * shape seen before is read without `JSON.parse` (`decodeFlatObject`).
 */
export function decodeJson(text: string): Json {
  const flat = decodeFlatObject(text);
  if (flat !== undefined) return Object.freeze(flat);
  const value = JSON.parse(text) as Json;
  if (typeof value !== 'object' || value === null) return value;
  if (text.indexOf('{', 1) === -1 && text.indexOf('[', 1) === -1) {
    // A flat object: the next one of its shape is read without JSON.parse (flat-json.ts).
    if (!Array.isArray(value)) learnShape(value);
    return Object.freeze(value) as Json;
  }
  return freezeParsed(value);
}

const NOT_DECODED: unique symbol = Symbol('not decoded');

let valueProperty: PropertyDescriptor | undefined;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A fact of the native engine. Its `value` is an own, enumerable accessor that decodes the
 * canonical JSON (a slice of text that crossed the boundary with the fact) on first access and
 * keeps the deep-frozen result, so facts that are only listed, counted or followed by id cost
 * no JSON parsing. Every field is an own enumerable property in the order of a TS engine fact,
 * so spreading, `JSON.stringify` and deep equality see the same object.
 */
export class NativeFact implements Fact {
  declare readonly id: string;
  declare readonly seq: number;
  declare readonly store: string;
  declare readonly key: string;
  declare readonly value: Json;
  declare readonly valueHash: string;
  declare readonly causation: string | null;
  declare readonly transactionTime: number;
  declare readonly validTime: number | null;
  declare readonly schemaVersion: number;
  declare readonly producer: JsonObject | null;
  declare readonly derivation: JsonObject | null;
  declare readonly idempotencyKey: string | null;
  #text: string;
  #start: number;
  #end: number;
  #value: Json | typeof NOT_DECODED = NOT_DECODED;

  static {
    // A fact is a JSON object too: writing one as a value works as with a TS engine fact.
    Object.defineProperty(NativeFact.prototype, JSON_OBJECT_CLASS, { value: true });
    valueProperty = {
      enumerable: true,
      get(this: NativeFact): Json {
        let value = this.#value;
        if (value === NOT_DECODED) {
          value = decodeJson(this.#text.slice(this.#start, this.#end));
          this.#value = value;
          this.#text = '';
        }
        return value;
      },
    };
  }

  /**
   * A fact whose value is `text.slice(start, end)`, canonical JSON. Fields are positional
   * (in a fact's order) so that building one allocates nothing else.
   */
  constructor(
    id: string,
    seq: number,
    store: string,
    key: string,
    valueHash: string,
    causation: string | null,
    transactionTime: number,
    validTime: number | null,
    schemaVersion: number,
    producer: JsonObject | null,
    derivation: JsonObject | null,
    idempotencyKey: string | null,
    text: string,
    start: number,
    end: number,
  ) {
    this.#text = text;
    this.#start = start;
    this.#end = end;
    const self = this as Writable<NativeFact>;
    self.id = id;
    self.seq = seq;
    self.store = store;
    self.key = key;
    Object.defineProperty(this, 'value', valueProperty as PropertyDescriptor);
    self.valueHash = valueHash;
    self.causation = causation;
    self.transactionTime = transactionTime;
    self.validTime = validTime;
    self.schemaVersion = schemaVersion;
    self.producer = producer;
    self.derivation = derivation;
    self.idempotencyKey = idempotencyKey;
    Object.freeze(this);
  }

  /**
   * The JSON text of `fact`'s value when it is a native fact whose value was not decoded yet
   * (its canonical JSON, sliced, no parse); undefined otherwise. Lets a backend store a fact
   * without decoding its value only to serialize it again.
   */
  static undecodedValueJson(fact: Fact): string | undefined {
    if (!(fact instanceof NativeFact) || fact.#value !== NOT_DECODED) return undefined;
    return fact.#text.slice(fact.#start, fact.#end);
  }

  /** `console.log` shows the fact as the plain object it stands for, value included. */
  [inspect.custom](): object {
    return { ...this };
  }
}

/** Packed facts as they crossed the boundary. */
export interface PackedFacts {
  texts: readonly string[];
  numbers: Float64Array;
  /** Index of the first fact's first number in `numbers`. */
  base: number;
  count: number;
  /** The key the caller asked for; packed facts then leave it out of their text. */
  knownKey: string | undefined;
}

/** Width in the text of a part whose length is `length` (-1: null, no width). */
function width(length: number): number {
  return Math.max(0, length);
}

/** Reads a text part of `length` UTF-16 units (-1: null) starting at `at`. */
function nullablePart(text: string, at: number, length: number): string | null {
  return length < 0 ? null : text.slice(at, at + length);
}

/** UTF-16 units that the fact whose numbers start at `n` takes in its text. */
function packedWidth(numbers: Float64Array, n: number): number {
  let total = 0;
  for (let part = SLOT_ID_LENGTH; part < PACKED_FACT_STRIDE; part++)
    total += width(numbers[n + part] as number);
  return total;
}

/**
 * The `NativeFact` whose numbers start at `numbers[n]` and whose text starts at `text[at]`
 * (layout in native-binding.ts). Cost: a few string slices and one object; no JSON parsing
 * unless the fact has a producer or a derivation.
 */
export function unpackFact(
  text: string,
  at: number,
  numbers: Float64Array,
  n: number,
  knownKey: string | undefined,
  storeName: (index: number) => string,
): NativeFact {
  const idLength = numbers[n + SLOT_ID_LENGTH] as number;
  const hashLength = numbers[n + SLOT_VALUE_HASH_LENGTH] as number;
  const causationLength = numbers[n + SLOT_CAUSATION_LENGTH] as number;
  const keyLength = numbers[n + SLOT_KEY_LENGTH] as number;
  const valueLength = numbers[n + SLOT_VALUE_LENGTH] as number;
  const producerLength = numbers[n + SLOT_PRODUCER_LENGTH] as number;
  const derivationLength = numbers[n + SLOT_DERIVATION_LENGTH] as number;
  const idempotencyLength = numbers[n + SLOT_IDEMPOTENCY_KEY_LENGTH] as number;
  const idEnd = at + idLength;
  const hashEnd = idEnd + hashLength;
  const causationEnd = hashEnd + width(causationLength);
  const keyEnd = causationEnd + width(keyLength);
  const valueEnd = keyEnd + valueLength;
  const producerEnd = valueEnd + width(producerLength);
  const derivationEnd = producerEnd + width(derivationLength);
  const producerText = nullablePart(text, valueEnd, producerLength);
  const derivationText = nullablePart(text, producerEnd, derivationLength);
  const validTime = numbers[n + SLOT_VALID_TIME] as number;
  return new NativeFact(
    text.slice(at, idEnd),
    numbers[n + SLOT_SEQ] as number,
    storeName(numbers[n + SLOT_STORE_INDEX] as number),
    keyLength < 0 ? (knownKey ?? '') : text.slice(causationEnd, keyEnd),
    text.slice(idEnd, hashEnd),
    fromBoundaryText(nullablePart(text, hashEnd, causationLength)),
    numbers[n + SLOT_TRANSACTION_TIME] as number,
    Number.isNaN(validTime) ? null : validTime,
    numbers[n + SLOT_SCHEMA_VERSION] as number,
    producerText === null ? null : (decodeJson(producerText) as JsonObject),
    derivationText === null ? null : (decodeJson(derivationText) as JsonObject),
    fromBoundaryText(nullablePart(text, derivationEnd, idempotencyLength)),
    text,
    keyEnd,
    valueEnd,
  );
}

/** Turns packed facts into `NativeFact`s, see {@link unpackFact}. */
export function unpackFacts(packed: PackedFacts, storeName: (index: number) => string): NativeFact[] {
  const { texts, numbers, base, count, knownKey } = packed;
  const facts: NativeFact[] = new Array(count);
  let text = '';
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (i % PACKED_FACT_GROUP === 0) {
      text = texts[i / PACKED_FACT_GROUP] ?? '';
      at = 0;
    }
    const n = base + i * PACKED_FACT_STRIDE;
    facts[i] = unpackFact(text, at, numbers, n, knownKey, storeName);
    at += packedWidth(numbers, n);
  }
  return facts;
}
