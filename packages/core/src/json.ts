/** A JSON value as Igniter stores it (ARCHITECTURE.md D1). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** Deepest nesting of arrays and objects accepted in a value; both engines share the limit. */
export const MAX_JSON_DEPTH = 512;

/** True when `value` is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Freezes a JSON value and everything inside it, in place; returns it. */
export function deepFreeze<T extends Json>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Marks a class whose instances are JSON objects in all but their prototype: the native
 * engine's facts, so that writing a fact read from a store as a value works as it does with
 * the TS engine's plain facts.
 */
export const JSON_OBJECT_CLASS: unique symbol = Symbol('igniter.jsonObjectClass');

/** True for a prototype marked with {@link JSON_OBJECT_CLASS}. */
export function isJsonObjectClass(proto: unknown): boolean {
  return (proto as { [JSON_OBJECT_CLASS]?: boolean } | null)?.[JSON_OBJECT_CLASS] === true;
}
