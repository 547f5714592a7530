import { checkInput, fieldsOf, valueHash } from '@igniter/core';
import type { OpContext } from '../context.js';
import { applyDescriptor } from '../descriptors/engine-effects.js';
import { normaliseDescriptor } from '../descriptors/normalise.js';
import { codedError, RECEIPT_CODES, receipt } from '../receipts.js';
import { toWireDetails } from '../wire-form.js';
import type { Receipt } from '../wire-types.js';

/** Options of `register`. */
export interface RegisterOptions {
  /** Supersede a descriptor of the same `(kind, name)` with different content (default false). */
  replace?: boolean;
}

const OPTION_FIELDS = fieldsOf<RegisterOptions>({ replace: true });

function refused(kind: Receipt['kind'], name: string | undefined, error: unknown): Receipt {
  const coded = codedError(error);
  if (!coded || !RECEIPT_CODES.has(coded.code)) throw error;
  return receipt(kind, 'rejected', {
    name,
    errors: [coded.message],
    errorCode: coded.code,
    errorDetails: toWireDetails(coded.details),
  });
}

/**
 * Registers a descriptor under its identity `(kind, name)`, `(kind, owner, name)` for commands
 * and effects (D5, fixing C-3): new -> `accepted`;
 * the same normalised content as the current version -> `unchanged`; different content ->
 * `conflict` (`ERR_CONFLICT`) unless `replace`, which makes it the current version
 * (`accepted`). Invalid -> `rejected` (`ERR_INVALID_ARGUMENT`, `ERR_INVALID_VALUE` for non-JSON
 * content, or the store's code when the engine refuses the path or relation). Accepted versions
 * are facts of `__descriptors`; the engine side (paths, relations, projections) is applied
 * before the fact is committed, so a refused one leaves nothing behind. Throws
 * `ERR_INVALID_ARGUMENT` for an unknown option.
 */
export function register(ctx: OpContext, packet: unknown, options: RegisterOptions = {}): Receipt {
  checkInput(options, 'register options', OPTION_FIELDS);
  const normalised = normaliseDescriptor(packet);
  if (!normalised.ok) {
    return receipt(normalised.kind, 'rejected', {
      name: normalised.name,
      errors: normalised.errors,
      errorCode: 'ERR_INVALID_ARGUMENT',
    });
  }
  const { descriptor, warnings } = normalised;
  const { kind, name } = descriptor;
  let hash: string;
  try {
    hash = valueHash(descriptor);
  } catch (error) {
    return refused(kind, name, error);
  }
  const current = ctx.descriptors.current(descriptor);
  if (current && current.valueHash === hash) {
    return receipt(kind, 'unchanged', { name, fact: current, warnings });
  }
  if (current && options.replace !== true) {
    return receipt(kind, 'conflict', {
      name,
      warnings,
      errors: [
        `${kind} ${JSON.stringify(name)} is registered with different content; register with replace: true to supersede it`,
      ],
      errorCode: 'ERR_CONFLICT',
      errorDetails: { kind, name, current_fact_id: current.id, current_value_hash: current.valueHash },
    });
  }
  try {
    applyDescriptor(ctx.store, descriptor);
    const fact = ctx.descriptors.record(descriptor);
    return receipt(kind, 'accepted', { name, fact, warnings });
  } catch (error) {
    return refused(kind, name, error);
  }
}
