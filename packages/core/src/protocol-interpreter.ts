import { IgniterError } from './errors.js';
import { loadOptional } from './optional-package.js';
import type { IgniterStore } from './store.js';

/**
 * What a descriptor registration answers, as `@igniter/protocol` defines it (its `Receipt` has
 * more fields). Declared here structurally so that core never depends on the protocol package.
 */
export interface ProtocolReceipt {
  /** Receipt format version. */
  readonly schema_version: 1;
  /** The descriptor kind, or null when it could not be read. */
  readonly kind: string | null;
  /** What the registration did. */
  readonly status: 'accepted' | 'unchanged' | 'conflict' | 'rejected';
  /** Non-fatal remarks. */
  readonly warnings: readonly string[];
  /** Why it was rejected or conflicted. */
  readonly errors: readonly string[];
}

/**
 * The part of `@igniter/protocol`'s `Interpreter` that core calls. `store.protocol<Interpreter>()`
 * gives the full type to code that imports the protocol package.
 */
export interface ProtocolInterpreter {
  /** Registers a descriptor; `replace` overwrites a different one of the same (kind, name). */
  register(descriptor: unknown, options?: { replace?: boolean }): ProtocolReceipt;
}

/** The internal store in which `@igniter/protocol` keeps descriptors (`store.commitDescriptor`). */
export const DESCRIPTOR_STORE = '__descriptors';

/** The producer of every descriptor fact. */
export const DESCRIPTOR_PRODUCER = { system: 'igniter_protocol', kind: 'descriptor' } as const;

/** The store's interpreter from `@igniter/protocol`; throws `ERR_MISSING_PACKAGE` without it. */
export function loadInterpreter(store: IgniterStore): ProtocolInterpreter {
  const { Interpreter } = loadOptional<{ Interpreter: new (store: IgniterStore) => ProtocolInterpreter }>(
    '@igniter/protocol',
  );
  return new Interpreter(store);
}

/**
 * Re-applies the protocol descriptors a reopened log holds (access paths, relations,
 * projections), so they run without a first call to `protocol()`. Without
 * `@igniter/protocol` installed they cannot run: a warning says so and the store opens.
 */
export function restoreDescriptors(store: IgniterStore): void {
  if (store.internalEngine.keys(DESCRIPTOR_STORE).length === 0) return;
  try {
    store.protocol();
  } catch (error) {
    if (!(error instanceof IgniterError && error.code === 'ERR_MISSING_PACKAGE')) throw error;
    process.emitWarning(
      'the store holds protocol descriptors but @igniter/protocol is not installed: their access paths and relations are not registered',
      { code: 'IGNITER_DESCRIPTORS_NOT_APPLIED' },
    );
  }
}
