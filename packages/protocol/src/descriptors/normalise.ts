import type { Descriptor, DescriptorKind } from '../wire-types.js';
import {
  normaliseCommand,
  normaliseDerivation,
  normaliseEffect,
  normaliseSubscription,
} from './behaviour-kinds.js';
import {
  isRecord,
  type KindOutcome,
  MAX_DESCRIPTOR_NAME_BYTES,
  present,
  type RawDescriptor,
} from './checks.js';
import {
  normaliseAccessPath,
  normaliseHistory,
  normaliseProjection,
  normaliseRelation,
  normaliseStore,
} from './data-kinds.js';

const NORMALISERS: Readonly<Record<DescriptorKind, (raw: RawDescriptor) => KindOutcome>> = {
  store: normaliseStore,
  history: normaliseHistory,
  access_path: normaliseAccessPath,
  relation: normaliseRelation,
  projection: normaliseProjection,
  derivation: normaliseDerivation,
  command: normaliseCommand,
  effect: normaliseEffect,
  subscription: normaliseSubscription,
};

/** The nine descriptor kinds, in the order snapshots list them. */
export const DESCRIPTOR_KINDS: readonly DescriptorKind[] = Object.freeze(
  Object.keys(NORMALISERS) as DescriptorKind[],
);

/** True when `kind` names one of the nine descriptor kinds. */
export function isDescriptorKind(kind: unknown): kind is DescriptorKind {
  return typeof kind === 'string' && Object.hasOwn(NORMALISERS, kind);
}

/** A descriptor ready to register, or why it cannot be. */
export type Normalised =
  | { ok: true; descriptor: Descriptor; warnings: string[] }
  | { ok: false; kind: DescriptorKind | null; name: string | undefined; errors: string[] };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function nameProblem(name: unknown): string | undefined {
  if (!present(name)) return undefined; // reported with the kind's other missing fields
  if (typeof name !== 'string' || name.length === 0) return 'name must be a non-empty string';
  if (Buffer.byteLength(name, 'utf8') > MAX_DESCRIPTOR_NAME_BYTES) {
    return `name is over ${MAX_DESCRIPTOR_NAME_BYTES} UTF-8 bytes`;
  }
  if (LONE_SURROGATE.test(name)) return 'name contains a lone UTF-16 surrogate';
  return undefined;
}

/**
 * Validates a descriptor packet and fills its defaults (pure: no store is touched). A missing
 * or unknown `kind`, a `schema_version` other than 1, a bad name, missing required fields,
 * wrong field types and unsupported enum values are errors; enums compare as strings. Unknown
 * fields are kept. Cost: one pass over the top-level fields.
 */
export function normaliseDescriptor(packet: unknown): Normalised {
  if (!isRecord(packet)) {
    return { ok: false, kind: null, name: undefined, errors: ['descriptor must be an object'] };
  }
  const kind = packet.kind;
  const name = typeof packet.name === 'string' ? packet.name : undefined;
  if (!present(kind)) return { ok: false, kind: null, name, errors: ['missing required field: kind'] };
  if (!isDescriptorKind(kind)) {
    return { ok: false, kind: null, name, errors: [`unknown descriptor kind: ${JSON.stringify(kind)}`] };
  }
  const version = packet.schema_version;
  if (present(version) && version !== 1) {
    return {
      ok: false,
      kind,
      name,
      errors: [`unsupported descriptor schema_version: ${JSON.stringify(version)} (this package speaks 1)`],
    };
  }
  const badName = nameProblem(packet.name);
  if (badName) return { ok: false, kind, name, errors: [badName] };
  const outcome = NORMALISERS[kind](packet);
  if (!outcome.ok || name === undefined) {
    return { ok: false, kind, name, errors: outcome.ok ? ['missing required fields: name'] : outcome.errors };
  }
  return { ok: true, descriptor: { ...outcome.descriptor, kind, name }, warnings: outcome.warnings };
}
