import { inspect } from 'node:util';
import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';
import { PACKED_FACT_GROUP, PACKED_FACT_STRIDE } from './native-binding.js';

/** Freezes a freshly parsed JSON value and everything inside it; returns it. */
export function freezeParsed<T extends Json>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) freezeParsed(value[i] as Json);
    } else {
      for (const key of Object.keys(value)) freezeParsed(value[key] as Json);
    }
    Object.freeze(value);
  }
  return value;
}

/** Decodes canonical JSON text into a deep-frozen value (keys land in canonical order, as the TS engine's copies have them). */
function decodeJson(text: string): Json {
  return freezeParsed(JSON.parse(text) as Json);
}

const NOT_DECODED: unique symbol = Symbol('not decoded');

/** The fields of a fact other than `value`, in the order a fact lists them. */
export interface FactFields {
  id: string;
  seq: number;
  store: string;
  key: string;
  valueHash: string;
  causation: string | null;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
  producer: JsonObject | null;
  derivation: JsonObject | null;
  idempotencyKey: string | null;
}

let valueProperty: PropertyDescriptor | undefined;

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

  /** A fact whose value is `text.slice(start, end)`, canonical JSON. */
  constructor(fields: FactFields, text: string, start: number, end: number) {
    this.#text = text;
    this.#start = start;
    this.#end = end;
    const self = this as { -readonly [K in keyof FactFields]: FactFields[K] };
    self.id = fields.id;
    self.seq = fields.seq;
    self.store = fields.store;
    self.key = fields.key;
    Object.defineProperty(this, 'value', valueProperty as PropertyDescriptor);
    self.valueHash = fields.valueHash;
    self.causation = fields.causation;
    self.transactionTime = fields.transactionTime;
    self.validTime = fields.validTime;
    self.schemaVersion = fields.schemaVersion;
    self.producer = fields.producer;
    self.derivation = fields.derivation;
    self.idempotencyKey = fields.idempotencyKey;
    Object.freeze(this);
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

/**
 * Turns packed facts into `NativeFact`s (layout in native-binding.ts). `storeName` maps a store
 * index to its name. Cost: a few string slices and one object per fact; no JSON parsing unless
 * a fact has a producer or a derivation.
 */
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
    const num = (offset: number): number => numbers[n + offset] as number;
    const idEnd = at + num(5);
    const hashEnd = idEnd + num(6);
    const causationEnd = hashEnd + width(num(7));
    const keyEnd = causationEnd + width(num(8));
    const valueEnd = keyEnd + num(9);
    const producerEnd = valueEnd + width(num(10));
    const derivationEnd = producerEnd + width(num(11));
    const idempotencyEnd = derivationEnd + width(num(12));
    const id = text.slice(at, idEnd);
    const valueHash = text.slice(idEnd, hashEnd);
    const causation = nullablePart(text, hashEnd, num(7));
    const key = num(8) < 0 ? (knownKey ?? '') : text.slice(causationEnd, keyEnd);
    const valueStart = keyEnd;
    const producerText = nullablePart(text, valueEnd, num(10));
    const derivationText = nullablePart(text, producerEnd, num(11));
    const idempotencyKey = nullablePart(text, derivationEnd, num(12));
    at = idempotencyEnd;
    const validTime = num(2);
    facts[i] = new NativeFact(
      {
        id,
        seq: num(0),
        store: storeName(num(4)),
        key,
        valueHash,
        causation,
        transactionTime: num(1),
        validTime: Number.isNaN(validTime) ? null : validTime,
        schemaVersion: num(3),
        producer: producerText === null ? null : (decodeJson(producerText) as JsonObject),
        derivation: derivationText === null ? null : (decodeJson(derivationText) as JsonObject),
        idempotencyKey,
      },
      text,
      valueStart,
      valueEnd,
    );
  }
  return facts;
}
