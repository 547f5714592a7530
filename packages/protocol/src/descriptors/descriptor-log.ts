import { DESCRIPTOR_STORE, type Fact, type IgniterStore } from '@igniter/core';
import type { Descriptor, DescriptorKind } from '../wire-types.js';
import { isRecord } from './checks.js';
import { isDescriptorKind } from './normalise.js';

/** The internal store that holds every descriptor version (persisted: it survives reopen and syncs). */
export { DESCRIPTOR_STORE };

/** What identifies a descriptor: its kind and name, and for commands and effects its owner. */
export type DescriptorIdentity = Pick<Descriptor, 'kind' | 'name'> & { readonly owner?: unknown };

/** Kinds whose identity includes the descriptor's `owner`: `(kind, owner, name)`. */
const OWNED_KINDS: ReadonlySet<DescriptorKind> = new Set(['command', 'effect']);

/**
 * The key of a descriptor in `__descriptors`: its identity, `(kind, name)`, or `(kind, owner,
 * name)` for commands and effects (two owners may each have a command "complete").
 */
export function descriptorKey(descriptor: DescriptorIdentity): string {
  const { kind, name, owner } = descriptor;
  // JSON keeps the pair unambiguous whatever characters owner and name hold.
  return OWNED_KINDS.has(kind) ? `${kind}:${JSON.stringify([owner, name])}` : `${kind}:${name}`;
}

function isDescriptor(value: unknown): value is Descriptor {
  return isRecord(value) && isDescriptorKind(value.kind) && typeof value.name === 'string';
}

/**
 * Descriptors as facts of `__descriptors`, one key per `(kind, name)`; the latest fact of a key
 * is the current version. The store is the only state: interpreters over the same store agree.
 */
export class DescriptorLog {
  readonly #store: IgniterStore;

  constructor(store: IgniterStore) {
    this.#store = store;
  }

  /** The fact of the current version of the descriptor's identity, if registered. Cost: O(versions of it). */
  current(descriptor: DescriptorIdentity): Fact | undefined {
    return this.#store.history({ store: DESCRIPTOR_STORE, key: descriptorKey(descriptor) }).at(-1);
  }

  /** The current version of every descriptor, in first-registration order. Cost: O(all versions). */
  all(): Descriptor[] {
    const latest = new Map<string, Descriptor>();
    for (const fact of this.#store.history({ store: DESCRIPTOR_STORE })) {
      if (isDescriptor(fact.value)) latest.set(fact.key, fact.value);
    }
    return [...latest.values()];
  }

  /** Commits a new version of a descriptor (internal store: no user write can forge one). */
  record(descriptor: Descriptor): Fact {
    return this.#store.commitDescriptor(descriptorKey(descriptor), descriptor);
  }
}
