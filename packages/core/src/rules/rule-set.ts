import type { Fact } from '../fact.js';
import type { Json, JsonObject } from '../json.js';
import { type FailureHost, handleRuleFailure } from './poison.js';
import { DerivationProgram, groupOfProducer, type RuleGroup, type RuleOutput } from './program.js';
import type { Rule } from './rule.js';

/** What the rules need from the store that runs them. */
export interface RuleHost extends FailureHost {
  /** The coerced current value of (store, key). */
  read(input: { store: string; key: string }): Json | undefined;
}

/** How a derived fact came to be written: by the live rule, a backfill or a rebuild. */
export type WriteOrigin = 'live' | 'backfill' | 'rebuild';

/** Live runs go first by group, then in registration order (derivations before scatters). */
const GROUP_ORDER: Readonly<Record<RuleGroup, number>> = { derivation: 0, scatter: 1, projection: 2 };

/** The deepest chain of derived facts followed to find the groups a fact was written under. */
const MAX_DERIVED_DEPTH = 16;

/**
 * Runs rules after each committed fact of their source stores (ARCHITECTURE.md D4). A rule never runs on
 * a fact that a rule of its own group is writing, so rules cannot loop. A failing rule is
 * handled by its policy and the other rules still run.
 */
export class RuleSet {
  readonly #host: RuleHost;
  readonly #bySource = new Map<string, Rule[]>();
  /** Groups whose derived write is being committed right now (nested commits run inside it). */
  readonly #writing = new Set<RuleGroup>();

  constructor(host: RuleHost) {
    this.#host = host;
  }

  /** Starts running a rule on later facts of its source stores. */
  add(rule: Rule): void {
    for (const store of rule.program.sources) {
      // A new list, not an insert: a rule registered by a consumer mid-commit must not shift
      // the list that commit is iterating.
      const list = [...(this.#bySource.get(store) ?? [])];
      const at = list.findIndex((r) => GROUP_ORDER[r.program.group] > GROUP_ORDER[rule.program.group]);
      list.splice(at === -1 ? list.length : at, 0, rule);
      this.#bySource.set(store, list);
    }
  }

  /**
   * Forgets materialized rule inputs after facts were removed (they are rebuilt on next use);
   * rebuilds in progress start over.
   */
  reset(): void {
    for (const list of this.#bySource.values()) {
      for (const rule of list) {
        if (rule.program instanceof DerivationProgram) rule.program.reset();
        rule.rebuild?.restart();
      }
    }
  }

  /**
   * Runs after each commit. Cost per source fact: O(derivations of the store x their matching
   * keys) plus O(other rules of the store); unrelated stores cost nothing.
   */
  afterCommit(fact: Fact): void {
    const rules = this.#bySource.get(fact.store);
    if (!rules) return;
    // Inputs stay current for every rule first, also for paused rules and derived writes.
    const accepted = rules.map((rule) => rule.program.track(fact));
    rules.forEach((rule, i) => {
      if (this.#writing.has(rule.program.group)) return;
      if (rule.state === 'stopped') {
        rule.skipped += 1;
        return;
      }
      rule.lastSourceSeq = fact.seq;
      if (accepted[i]) this.runOnce(rule, fact, 'live');
    });
  }

  /**
   * Writes a rule's output to `store` as a derived fact of the rule; a write the store refuses
   * (an invalid value or key) is the rule's failure. Returns whether it was written.
   */
  write(rule: Rule, store: string, output: RuleOutput, origin: WriteOrigin): boolean {
    const group = rule.program.group;
    this.#writing.add(group);
    try {
      this.#host.commitInternal(
        {
          store,
          key: output.key,
          value: output.value,
          producer: { kind: rule.program.kind, rule: rule.name },
          derivation: provenance(rule.name, output.source, origin),
        },
        'derived',
      );
      rule.written += 1;
      if (origin === 'live') rule.rebuild?.touched(store, output.key);
      return true;
    } catch (error) {
      handleRuleFailure(this.#host, rule, output.source, error);
      return false;
    } finally {
      this.#writing.delete(group);
    }
  }

  /**
   * The groups of rules that were writing when `fact` was committed (empty for a fact no rule
   * wrote): the groups along its chain of live derived facts. A rebuild uses it to pass over
   * the facts the live rule never ran on. Cost: one lookup per derived fact in the chain.
   */
  writingGroupsOf(fact: Fact): ReadonlySet<RuleGroup> {
    const groups = new Set<RuleGroup>();
    let current: Fact | undefined = fact;
    for (let depth = 0; current && depth < MAX_DERIVED_DEPTH; depth += 1) {
      const group = groupOfProducer(current.producer?.kind);
      const derivation = current.derivation;
      if (group === undefined || derivation === null || typeof derivation.sourceFactId !== 'string') break;
      groups.add(group);
      // A backfill or rebuild wrote it outside any commit of its source fact.
      if (derivation.origin !== undefined) break;
      current = this.#host.internalEngine.byId(derivation.sourceFactId);
    }
    return groups;
  }

  /**
   * Runs a rule for one source fact against its target's current values and writes the
   * result; a failure is handled by the rule's policy.
   */
  runOnce(rule: Rule, fact: Fact, origin: WriteOrigin): void {
    let output: RuleOutput | null;
    try {
      output = rule.program.run(fact, (key) => this.#host.read({ store: rule.target, key }));
    } catch (error) {
      handleRuleFailure(this.#host, rule, fact, error);
      return;
    }
    if (output) this.write(rule, rule.target, output, origin);
  }
}

/** The `derivation` of a derived fact: its rule and the source fact it was computed on. */
function provenance(rule: string, source: Fact, origin: WriteOrigin): JsonObject {
  const out: JsonObject = { rule, sourceStore: source.store, sourceKey: source.key, sourceFactId: source.id };
  if (origin !== 'live') out.origin = origin;
  return out;
}
