import type { Json, JsonObject } from '@igniter/core';

/** A descriptor packet under normalisation: its own top-level fields. */
export type RawDescriptor = Readonly<Record<string, unknown>>;

/** What one kind's normaliser made of a packet. */
export type KindOutcome =
  | { ok: true; descriptor: JsonObject; warnings: string[] }
  | { ok: false; errors: string[] };

/** Longest descriptor name, in UTF-8 bytes (it becomes part of an internal key and store names). */
export const MAX_DESCRIPTOR_NAME_BYTES = 512;

/** True for a value given (not undefined, not null). */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** `missing required fields: a, b` for the absent ones, in the declared order; undefined when none is. */
export function missingFields(raw: RawDescriptor, fields: readonly string[]): string | undefined {
  const missing = fields.filter((f) => !present(raw[f]));
  return missing.length === 0 ? undefined : `missing required fields: ${missing.join(', ')}`;
}

/** True for a non-empty string. */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** True for a JSON-looking object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an array of non-empty strings. */
export function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isText);
}

/** Collects type problems: `check(ok, message)` records `message` when `ok` is false. */
export class Problems {
  readonly errors: string[] = [];

  check(ok: boolean, message: string): void {
    if (!ok) this.errors.push(message);
  }

  /** An optional field must be a non-empty string when given. */
  optionalText(raw: RawDescriptor, field: string): void {
    this.check(!present(raw[field]) || isText(raw[field]), `${field} must be a non-empty string`);
  }
}

/**
 * The packet's fields other than `schema_version` (packet framing, not content), with the
 * normalised fields laid over them. Values are the caller's; JSON validity is checked later,
 * when the descriptor is hashed.
 */
export function withDefaults(raw: RawDescriptor, normalised: Record<string, Json>): JsonObject {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (field !== 'schema_version' && value !== undefined) out[field] = value;
  }
  // Hashing the descriptor validates that every value is JSON before anything is stored.
  return { ...(out as JsonObject), ...normalised };
}

/**
 * The outcome of checking a descriptor of one kind: the errors `problems` collected, or the
 * descriptor with its normalised fields and any warnings.
 */
export function kindOutcome(
  raw: RawDescriptor,
  problems: Problems,
  normalised: Record<string, Json>,
  warnings: string[] = [],
): KindOutcome {
  if (problems.errors.length > 0) return { ok: false, errors: problems.errors };
  return { ok: true, descriptor: withDefaults(raw, normalised), warnings };
}
