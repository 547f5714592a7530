/**
 * `@igniter/protocol/conformance`: the dispatch-level behaviours of the Open Protocol
 * (protocol-spec §5.1-5.6, in their fixed form) as transport-agnostic checks. Give it a factory
 * of fresh subjects, each a `dispatch`-like async function over an empty store (in process, over
 * HTTP, over TCP), and run the checks with `runConformance` or register them as tests with
 * `registerConformanceTests`. Checks assert with `node:assert`, so any test runner works.
 */
import { activityChecks } from './checks-activity.js';
import { behaviourKindChecks } from './checks-behaviour-kinds.js';
import { dataKindChecks } from './checks-data-kinds.js';
import { envelopeChecks } from './checks-envelope.js';
import { factIoChecks } from './checks-fact-io.js';
import { identityChecks } from './checks-identity.js';
import { replayChecks } from './checks-replay.js';
import { v1ReadChecks } from './checks-v1-reads.js';
import { WireClient } from './client.js';
import {
  applicable,
  type CheckOutcome,
  type ConformanceCheck,
  type ConformanceSubject,
  type ConformanceTarget,
} from './kit.js';

export { type DispatchFunction, type OpResults, WireClient } from './client.js';
export type {
  Capability,
  CheckContext,
  CheckOutcome,
  ConformanceCheck,
  ConformanceSubject,
  ConformanceTarget,
  LifecycleHooks,
} from './kit.js';

/** Every check, in spec order. Cost: none (a frozen list). */
export function conformanceChecks(): readonly ConformanceCheck[] {
  return [
    ...dataKindChecks,
    ...behaviourKindChecks,
    ...identityChecks,
    ...factIoChecks,
    ...envelopeChecks,
    ...v1ReadChecks,
    ...replayChecks,
    ...activityChecks,
  ];
}

/**
 * Runs one check against a fresh subject from `target` and closes it. Rejects with the check's
 * AssertionError when the behaviour does not hold, and with an Error naming the capability when
 * the subject cannot run it.
 */
export async function runCheck(check: ConformanceCheck, target: ConformanceTarget): Promise<void> {
  const subject: ConformanceSubject = await target.open();
  try {
    if (!applicable(check, subject)) {
      throw new Error(`${check.id} needs ${check.requires.join(', ')}, which this subject does not offer`);
    }
    await check.run({ client: new WireClient(subject.dispatch), subject });
  } finally {
    await subject.close?.();
  }
}

/**
 * Runs every check, each on a fresh subject, and reports each outcome; never rejects. Checks the
 * subjects cannot run (no lifecycle hooks) are `not_applicable`. Cost: one subject per check.
 */
export async function runConformance(target: ConformanceTarget): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of conformanceChecks()) {
    const probe = await target.open();
    const runnable = applicable(check, probe);
    await probe.close?.();
    if (!runnable) {
      outcomes.push({
        id: check.id,
        title: check.title,
        status: 'not_applicable',
        reason: check.requires.join(', '),
      });
      continue;
    }
    try {
      await runCheck(check, target);
      outcomes.push({ id: check.id, title: check.title, status: 'passed' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      outcomes.push({ id: check.id, title: check.title, status: 'failed', reason });
    }
  }
  return outcomes;
}

/** The test functions `registerConformanceTests` uses (vitest's, jest's and node:test's fit). */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
}

/**
 * Registers one test per check under `describe(name)`: `registerConformanceTests(target, { describe, it })`.
 * With `capabilities`, only the checks those capabilities allow are registered; the others are
 * returned so the caller can report them. Cost: none until the tests run.
 */
export function registerConformanceTests(
  target: ConformanceTarget,
  api: TestApi,
  options: { name?: string; capabilities?: readonly ConformanceCheck['requires'][number][] } = {},
): ConformanceCheck[] {
  const capabilities = new Set(options.capabilities ?? ['lifecycle']);
  const left: ConformanceCheck[] = [];
  api.describe(options.name ?? 'Open Protocol conformance', () => {
    for (const check of conformanceChecks()) {
      if (!check.requires.every((c) => capabilities.has(c))) {
        left.push(check);
        continue;
      }
      api.it(`${check.id} (§${check.section}) ${check.title}`, () => runCheck(check, target));
    }
  });
  return left;
}
