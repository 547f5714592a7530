import type { Json } from '@igniter/core';
import {
  isRecord,
  isText,
  type KindOutcome,
  kindOutcome,
  missingFields,
  Problems,
  present,
  type RawDescriptor,
} from './checks.js';

/** Command operations and the shape each one targets. */
const COMMAND_TARGETS: Readonly<Record<string, string>> = {
  record_append: 'store',
  record_update: 'store',
  history_append: 'history',
  none: 'none',
};

/** Effect store operations and the write each one lowers to. */
const EFFECT_LOWERINGS: Readonly<Record<string, string>> = {
  store_write: 'store_t',
  store_append: 'history_t',
  none: 'none',
};

const EFFECT_WRITE_KINDS: ReadonlySet<string> = new Set(['insert', 'update', 'append', 'none']);

function known(table: Readonly<Record<string, string>>, value: unknown): value is string {
  return typeof value === 'string' && Object.hasOwn(table, value);
}

/**
 * A derivation declared as metadata: its `inputs` and `output` are stored (C-7) and listed by
 * the snapshots, but nothing runs until a rule is registered with `store.registerDerivation`,
 * which the receipt says.
 */
export function normaliseDerivation(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'inputs', 'output']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(Array.isArray(raw.inputs), 'inputs must be an array');
  problems.check(isText(raw.output), 'output must be a non-empty string');
  const warnings = [
    `derivation ${JSON.stringify(raw.name)} is stored as metadata only; register a rule with store.registerDerivation to run it`,
  ];
  return kindOutcome(raw, problems, {}, warnings);
}

/**
 * A command of an `owner`: `operation` is one of record_append, record_update, history_append
 * or none. Defaults: `target_shape` from the operation, `boundary: 'app'`, `mutation_intent`
 * = the operation. Other fields (such as `changes`) are kept.
 */
export function normaliseCommand(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'owner', 'operation']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.owner), 'owner must be a non-empty string');
  const operation = raw.operation;
  if (!known(COMMAND_TARGETS, operation)) {
    return { ok: false, errors: [`unsupported command operation: ${JSON.stringify(operation)}`] };
  }
  for (const field of ['target_shape', 'boundary', 'mutation_intent']) problems.optionalText(raw, field);
  const normalised: Record<string, Json> = {
    target_shape: isText(raw.target_shape) ? raw.target_shape : (COMMAND_TARGETS[operation] ?? 'none'),
    boundary: isText(raw.boundary) ? raw.boundary : 'app',
    mutation_intent: isText(raw.mutation_intent) ? raw.mutation_intent : operation,
  };
  return kindOutcome(raw, problems, normalised);
}

/**
 * An effect of an `owner`: `store_op` is store_write, store_append or none; `write_kind` is
 * insert, update, append or none. Defaults: `lowers_to` from the store op (store_t, history_t,
 * none) and `boundary: 'app'`.
 */
export function normaliseEffect(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'owner', 'store_op', 'write_kind']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.owner), 'owner must be a non-empty string');
  const storeOp = raw.store_op;
  if (!known(EFFECT_LOWERINGS, storeOp)) {
    return { ok: false, errors: [`unsupported effect store_op: ${JSON.stringify(storeOp)}`] };
  }
  const writeKind = raw.write_kind;
  if (typeof writeKind !== 'string' || !EFFECT_WRITE_KINDS.has(writeKind)) {
    return { ok: false, errors: [`unsupported effect write_kind: ${JSON.stringify(writeKind)}`] };
  }
  for (const field of ['lowers_to', 'boundary', 'source_operation']) problems.optionalText(raw, field);
  const normalised: Record<string, Json> = {
    lowers_to: isText(raw.lowers_to) ? raw.lowers_to : (EFFECT_LOWERINGS[storeOp] ?? 'none'),
    boundary: isText(raw.boundary) ? raw.boundary : 'app',
  };
  return kindOutcome(raw, problems, normalised);
}

/**
 * A subscription on a `source` store, with optional `where` and `events`. It is stored and
 * listed; delivery is the changefeed's (`store.changefeed.subscribe`), which the receipt says,
 * so a client never waits for events the descriptor alone does not produce (C-6).
 */
export function normaliseSubscription(raw: RawDescriptor): KindOutcome {
  const missing = missingFields(raw, ['name', 'source']);
  if (missing) return { ok: false, errors: [missing] };
  const problems = new Problems();
  problems.check(isText(raw.source), 'source must be a non-empty string');
  problems.check(!present(raw.where) || isRecord(raw.where), 'where must be an object');
  problems.check(!present(raw.events) || Array.isArray(raw.events), 'events must be an array');
  const warnings = ['subscription is stored as metadata; deliver changes with a changefeed subscription'];
  return kindOutcome(raw, problems, {}, warnings);
}
