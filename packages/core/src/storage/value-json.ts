import { NativeFact } from '../engine/native-fact.js';
import type { Fact } from '../fact.js';

/**
 * The JSON text of a fact's value, for a backend that stores it: a native fact's text as the
 * engine holds it (not decoded and stringified again), else `JSON.stringify(fact.value)`.
 * Never throws for a stored fact. Cost: one stringify, or one slice for a native fact.
 */
export function factValueJson(fact: Fact): string {
  return NativeFact.undecodedValueJson(fact) ?? JSON.stringify(fact.value);
}
