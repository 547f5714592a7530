import type { Json, JsonObject } from './json.js';

/**
 * An immutable, content-addressed fact: one value of one key of one store at one commit.
 * Every field is read-only and `value` is deep-frozen.
 */
export interface Fact {
  /** UUIDv7, lowercase, hyphenated. */
  readonly id: string;
  /** Commit sequence: integer >= 1, strictly increasing, never reused. */
  readonly seq: number;
  /** The store the fact belongs to. */
  readonly store: string;
  /** The key within the store. */
  readonly key: string;
  /** Deep-frozen copy of what was written. */
  readonly value: Json;
  /** 64 lowercase hex chars: SHA-256 of `canonicalJson(value)`. */
  readonly valueHash: string;
  /** Id of the fact this one follows, or null. */
  readonly causation: string | null;
  /** Integer ms since the epoch; non-decreasing in seq order. */
  readonly transactionTime: number;
  /** Writer-supplied ms since the epoch, or null. */
  readonly validTime: number | null;
  /** Integer >= 1. */
  readonly schemaVersion: number;
  /** Who produced the fact (a frozen JSON object), or null. */
  readonly producer: JsonObject | null;
  /** Provenance of a derived fact (`{ rule, sourceStore, sourceKey, sourceFactId }`), or null. */
  readonly derivation: JsonObject | null;
  /** The idempotency key the fact was written with, or null. */
  readonly idempotencyKey: string | null;
}

/** A reference to a fact without its value. */
export interface FactRef {
  /** The fact id. */
  readonly id: string;
  /** The store the fact belongs to. */
  readonly store: string;
  /** The key within the store. */
  readonly key: string;
  /** Integer ms since the epoch when the fact was committed. */
  readonly transactionTime: number;
  /** Writer-supplied ms since the epoch, or null. */
  readonly validTime: number | null;
  /** SHA-256 hex of the canonical JSON of the value. */
  readonly valueHash: string;
}

/** The effective valid time of a fact: its `validTime`, else its `transactionTime`. */
export function effectiveValidTime(fact: Fact): number {
  return fact.validTime ?? fact.transactionTime;
}

/** The reference of a fact (no value). */
export function toFactRef(fact: Fact): FactRef {
  return {
    id: fact.id,
    store: fact.store,
    key: fact.key,
    transactionTime: fact.transactionTime,
    validTime: fact.validTime,
    valueHash: fact.valueHash,
  };
}
