import { IgniterError } from './errors.js';
import type { JsonObject } from './json.js';

/** What an idempotency key stands for: everything a repeat must ask for again (API v1 amendments). */
export interface IdempotentRequest {
  /** The key; null for an append, whose key is minted at commit. */
  readonly key: string | null;
  readonly valueHash: string;
  readonly validTime: number | null;
  readonly schemaVersion: number;
  readonly producer: JsonObject | null;
  readonly derivation: JsonObject | null;
}

/**
 * The first field in which `repeat` asks for something other than `first` (the store is the
 * same: keys are per store), or undefined when it asks for exactly the same thing. A null key
 * (an append) matches any key. `hash` is the canonical-JSON hash used for the metadata objects.
 * Cost: at most two hashes of each metadata object.
 */
export function differingField(
  first: IdempotentRequest,
  repeat: IdempotentRequest,
  hash: (value: unknown) => string,
): string | undefined {
  if (first.key !== null && repeat.key !== null && first.key !== repeat.key) return 'key';
  if (first.valueHash !== repeat.valueHash) return 'value';
  if (first.validTime !== repeat.validTime) return 'validTime';
  if (first.schemaVersion !== repeat.schemaVersion) return 'schemaVersion';
  if (!sameJson(first.producer, repeat.producer, hash)) return 'producer';
  if (!sameJson(first.derivation, repeat.derivation, hash)) return 'derivation';
  return undefined;
}

function sameJson(a: JsonObject | null, b: JsonObject | null, hash: (value: unknown) => string): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return hash(a) === hash(b);
}

/** What a write input asks for (`freshKey`: an append, whose key is minted; `hash`: its value hash). */
export function requestOf(
  input: Omit<IdempotentRequest, 'key' | 'valueHash'> & { key: string },
  freshKey: boolean,
  hash: string,
): IdempotentRequest {
  return {
    key: freshKey ? null : input.key,
    valueHash: hash,
    validTime: input.validTime,
    schemaVersion: input.schemaVersion,
    producer: input.producer,
    derivation: input.derivation,
  };
}

/**
 * `ERR_CONFLICT` for an idempotency key reused for another request (`field` differs), with
 * `details = { store, idempotencyKey, factId }` (`factId` null for two items of one batch).
 */
export function idempotencyConflict(
  store: string,
  idempotencyKey: string,
  factId: string | null,
  field: string,
): IgniterError {
  const where = factId === null ? 'repeats in the batch' : `of store "${store}" was used for a request`;
  return new IgniterError(
    'ERR_CONFLICT',
    `idempotency key "${idempotencyKey}" ${where} with a different ${field}`,
    {
      details: { store, idempotencyKey, factId },
    },
  );
}
