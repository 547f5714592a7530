import { IgniterError } from '../errors.js';

/**
 * The `ERR_RULE_FAILED` for a contained rule, consumer or coercion failure (`cause`) on `fact`:
 * `details` carry the kind, the fact's store, key and id, and `rule` when a named rule failed.
 */
export function ruleFailure(
  kind: string,
  fact: { store: string; key: string; id: string },
  cause: unknown,
  rule: string | undefined,
): IgniterError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const details: Record<string, unknown> = {
    kind,
    store: fact.store,
    key: fact.key,
    sourceFactId: fact.id,
  };
  if (rule !== undefined) details.rule = rule;
  return new IgniterError(
    'ERR_RULE_FAILED',
    `${rule === undefined ? kind : `${kind} "${rule}"`} failed for ${fact.store}/${fact.key}: ${message}`,
    { cause, details },
  );
}
