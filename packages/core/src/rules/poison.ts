import type { CommitKind } from '../change-event.js';
import type { Engine } from '../engine/types.js';
import type { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { isJsonObject } from '../json.js';
import type { WriteInput } from '../store-types.js';
import type { Rule } from './rule.js';
import type { DeadLetter } from './types.js';

/** The internal store of dead letters: one fact per source fact a `skip` rule failed on. */
export const DEAD_LETTER_STORE = '__dead_letters';

/** The producer kind of dead letters. */
const DEAD_LETTER_PRODUCER = 'dead_letter';

/** Longest error message kept in a dead letter (a rule may throw a huge one). */
const MAX_DEAD_LETTER_MESSAGE = 4096;

/** What failure handling needs from the store. */
export interface FailureHost {
  readonly internalEngine: Engine;
  commitInternal(input: WriteInput, kind: CommitKind): Fact;
  /** Reports a contained failure to `onRuleError`; returns the `ERR_RULE_FAILED` it reported. */
  reportRuleError(
    kind: string,
    fact: { store: string; key: string; id: string },
    cause: unknown,
    rule?: string,
  ): IgniterError;
}

/**
 * Handles a rule's failure on a source fact by its policy: always reported and counted; `skip`
 * also writes a dead letter (once per rule and fact); `stop` pauses the rule. Never retries.
 * Returns the reported error.
 */
export function handleRuleFailure(host: FailureHost, rule: Rule, source: Fact, cause: unknown): IgniterError {
  // The documented error kinds of ERR_RULE_FAILED name relations' index writes as scatters.
  const kind = rule.program.kind === 'relation' ? 'scatter' : rule.program.kind;
  const error = host.reportRuleError(kind, source, cause, rule.name);
  rule.failures += 1;
  rule.lastError = { code: error.code, message: error.message, sourceFactId: source.id };
  if (rule.onError === 'skip') writeDeadLetter(host, rule, source, error);
  if (rule.onError === 'stop' && rule.state !== 'stopped') {
    rule.state = 'stopped';
    rule.stoppedBy = error;
    rule.skipped = 0;
  }
  return error;
}

/** Writes the dead letter of (rule, source) unless that rule already has one for the fact. */
function writeDeadLetter(host: FailureHost, rule: Rule, source: Fact, error: IgniterError): void {
  const earlier = host.internalEngine.factsFor(DEAD_LETTER_STORE, source.id);
  if (earlier.some((f) => isJsonObject(f.value) && f.value.rule === rule.name)) return;
  const letter: DeadLetter = {
    rule: rule.name,
    sourceFactId: source.id,
    store: source.store,
    key: source.key,
    error: { code: error.code, message: error.message.slice(0, MAX_DEAD_LETTER_MESSAGE) },
  };
  try {
    host.commitInternal(
      {
        store: DEAD_LETTER_STORE,
        key: source.id,
        value: letter,
        producer: { kind: DEAD_LETTER_PRODUCER, rule: rule.name },
      },
      'write',
    );
  } catch (cause) {
    // The failure itself was reported; a dead letter that cannot be written (a backend error)
    // is reported too, never retried.
    host.reportRuleError('dead_letter', source, cause, rule.name);
  }
}
