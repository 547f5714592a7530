import type { CommitKind } from '../change-event.js';
import type { Engine } from '../engine/types.js';
import type { Fact } from '../fact.js';
import { isJsonObject, type Json, type JsonObject } from '../json.js';
import { matchesFilters } from '../scope.js';
import type { WriteInput } from '../store-types.js';
import { partitionKeyOf } from './partition-key.js';
import type { DerivationInput, ScatterInput } from './types.js';

/** What the rules need from the store that runs them. */
export interface RuleHost {
  readonly internalEngine: Engine;
  commitInternal(input: WriteInput, kind: CommitKind): Fact;
  /** The coerced current value of (store, key). */
  read(input: { store: string; key: string }): Json | undefined;
  reportRuleError(kind: string, fact: { store: string; key: string; id: string }, cause: unknown): void;
}

/** A registered derivation with its materialized input: matching keys in seq order. */
interface Derivation {
  readonly name: string;
  readonly spec: DerivationInput;
  readonly filters: JsonObject;
  /** key -> seq of its latest fact; Map order is seq order (a rewrite moves the key last). */
  members: Map<string, number> | undefined;
}

/** A registered scatter. */
interface Scatter {
  readonly name: string;
  readonly spec: ScatterInput;
  readonly kind: 'scatter' | 'relation';
}

/**
 * Runs derivations and scatters after each committed fact of their source store (DESIGN D4).
 * Derived writes never re-run derivations and scatter writes never re-run scatters, so rules
 * cannot loop. A failing rule is reported (ERR_RULE_FAILED) and the other rules still run.
 */
export class RuleSet {
  readonly #host: RuleHost;
  readonly #derivations = new Map<string, Derivation[]>();
  readonly #scatters = new Map<string, Scatter[]>();
  #deriving = false;
  #scattering = false;

  constructor(host: RuleHost) {
    this.#host = host;
  }

  /** Adds a derivation; its input is materialized now, O(keys of the source store) once. */
  addDerivation(name: string, spec: DerivationInput, filters: JsonObject): void {
    const derivation: Derivation = { name, spec, filters, members: undefined };
    this.#membersOf(derivation);
    const list = this.#derivations.get(spec.sourceStore) ?? [];
    list.push(derivation);
    this.#derivations.set(spec.sourceStore, list);
  }

  addScatter(name: string, spec: ScatterInput, kind: 'scatter' | 'relation'): void {
    const list = this.#scatters.get(spec.sourceStore) ?? [];
    list.push({ name, spec, kind });
    this.#scatters.set(spec.sourceStore, list);
  }

  /** Forgets materialized inputs (after compaction or prune); they are rebuilt on next use. */
  reset(): void {
    for (const list of this.#derivations.values()) for (const d of list) d.members = undefined;
  }

  /**
   * Runs after each commit. Cost per source fact: O(derivations of the store x their matching
   * keys) plus O(scatters of the store); unrelated keys of the store cost nothing.
   */
  afterCommit(fact: Fact): void {
    // Inputs stay current even while derivations are suppressed (derived writes).
    const fired = this.#trackCommit(fact);
    if (fired.length > 0 && !this.#deriving) this.#runDerivations(fact, fired);
    const scatters = this.#scatters.get(fact.store);
    if (scatters && !this.#scattering) this.#runScatters(fact, scatters);
  }

  /** Updates every derivation input of the fact's store; returns those whose input changed. */
  #trackCommit(fact: Fact): Derivation[] {
    const fired: Derivation[] = [];
    for (const derivation of this.#derivations.get(fact.store) ?? []) {
      const members = this.#membersOf(derivation);
      const was = members.delete(fact.key);
      const is = matchesFilters(fact.value, derivation.filters);
      if (is) members.set(fact.key, fact.seq);
      if (was || is) fired.push(derivation);
    }
    return fired;
  }

  #runDerivations(fact: Fact, fired: readonly Derivation[]): void {
    this.#deriving = true;
    try {
      for (const derivation of fired) this.#derive(derivation, fact);
    } finally {
      this.#deriving = false;
    }
  }

  #derive(derivation: Derivation, source: Fact): void {
    const { spec } = derivation;
    try {
      const facts = this.#host.internalEngine.bySeqs([...this.#membersOf(derivation).values()]);
      const value = spec.rule(facts);
      if (value === null) return;
      const targetKey = typeof spec.targetKey === 'function' ? spec.targetKey(facts) : spec.targetKey;
      this.#host.commitInternal(
        {
          store: spec.targetStore,
          key: targetKey,
          value,
          producer: { kind: 'derivation', rule: derivation.name },
          derivation: provenance(derivation.name, source),
        },
        'derived',
      );
    } catch (error) {
      this.#host.reportRuleError('derivation', source, error);
    }
  }

  #runScatters(fact: Fact, scatters: readonly Scatter[]): void {
    const value = fact.value;
    if (!isJsonObject(value)) return;
    this.#scattering = true;
    try {
      for (const scatter of scatters) this.#scatter(scatter, fact, value);
    } finally {
      this.#scattering = false;
    }
  }

  #scatter(scatter: Scatter, source: Fact, value: JsonObject): void {
    const { spec } = scatter;
    try {
      const partitionValue = Object.hasOwn(value, spec.partitionBy) ? value[spec.partitionBy] : undefined;
      const engine = this.#host.internalEngine;
      const key = partitionKeyOf(partitionValue, (v) => engine.canonicalJson(v));
      if (key === undefined || partitionValue === undefined) return;
      const existing = this.#host.read({ store: spec.targetStore, key });
      const next = spec.rule(partitionValue, existing, source);
      if (next === null) return;
      this.#host.commitInternal(
        {
          store: spec.targetStore,
          key,
          value: next,
          producer: { kind: scatter.kind, rule: scatter.name },
          derivation: provenance(scatter.name, source),
        },
        'derived',
      );
    } catch (error) {
      this.#host.reportRuleError('scatter', source, error);
    }
  }

  /** The derivation's matching keys, built from the store's latest facts on first use. */
  #membersOf(derivation: Derivation): Map<string, number> {
    if (derivation.members) return derivation.members;
    const engine = this.#host.internalEngine;
    const matching: Fact[] = [];
    for (const key of engine.keys(derivation.spec.sourceStore)) {
      const latest = engine.latestFor(derivation.spec.sourceStore, key);
      if (latest && matchesFilters(latest.value, derivation.filters)) matching.push(latest);
    }
    matching.sort((a, b) => a.seq - b.seq);
    derivation.members = new Map(matching.map((f) => [f.key, f.seq]));
    return derivation.members;
  }
}

function provenance(rule: string, source: Fact): JsonObject {
  return { rule, sourceStore: source.store, sourceKey: source.key, sourceFactId: source.id };
}
