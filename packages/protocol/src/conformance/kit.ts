import type { DispatchFunction, WireClient } from './client.js';

/**
 * Engine operations the wire does not carry (retention, compaction, prune are engine-local),
 * needed to set up the compaction-activity checks. A target that cannot offer them leaves those
 * checks out.
 */
export interface LifecycleHooks {
  setRetention(
    store: string,
    policy: { strategy: 'ephemeral' | 'rolling_window' | 'permanent'; duration?: number },
  ): void | Promise<void>;
  compact(store?: string): void | Promise<void>;
  pruneFactIds(factIds: string[], reason: string): void | Promise<void>;
}

/** One fresh, empty store behind a dispatch function. */
export interface ConformanceSubject {
  dispatch: DispatchFunction;
  lifecycle?: LifecycleHooks;
  /** Called after the check, pass or fail. */
  close?(): void | Promise<void>;
}

/** What the kit runs against: a factory of fresh subjects, one per check. */
export interface ConformanceTarget {
  open(): ConformanceSubject | Promise<ConformanceSubject>;
}

/** What a check needs beyond dispatch. */
export type Capability = 'lifecycle';

/** The context a check runs in. */
export interface CheckContext {
  client: WireClient;
  subject: ConformanceSubject;
}

/** One behaviour of protocol-spec §5.1-5.6, in its fixed form (§6, §7.2). */
export interface ConformanceCheck {
  /** The behaviour's id in protocol-spec §5 (`B26`), or a name for a fixed defect (`C-5`). */
  readonly id: string;
  /** The §5 subsection. */
  readonly section: '5.1' | '5.2' | '5.3' | '5.4' | '5.5' | '5.6';
  /** The behaviour as a sentence. */
  readonly title: string;
  readonly requires: readonly Capability[];
  /** Resolves when the behaviour holds; rejects with an AssertionError when it does not. */
  run(context: CheckContext): Promise<void>;
}

/** The outcome of one check in `runConformance`. */
export interface CheckOutcome {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'not_applicable';
  /** The failure's message, or the missing capability. */
  reason?: string;
}

/** True when the subject offers what the check needs. */
export function applicable(check: ConformanceCheck, subject: ConformanceSubject): boolean {
  return check.requires.every((c) => c === 'lifecycle' && subject.lifecycle !== undefined);
}
