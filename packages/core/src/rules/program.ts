import type { Engine } from '../engine/types.js';
import type { Fact } from '../fact.js';
import { isJsonObject, type Json, type JsonObject } from '../json.js';
import { matchesFilters } from '../scope.js';
import { partitionKeyOf } from './partition-key.js';
import type { DerivationInput, RuleKind } from './types.js';

/**
 * Rules of one group never run on a fact that a rule of the same group is writing (directly or
 * further down the same write), so rules cannot loop (ARCHITECTURE.md D4). Relations are scatters.
 */
export type RuleGroup = 'derivation' | 'scatter' | 'projection';

/** A target value a rule computed, with the source fact that made it. */
export interface RuleOutput {
  readonly key: string;
  readonly value: Json;
  readonly source: Fact;
}

/** The current value of a target key: the store's when live, the rebuilt one in a rebuild. */
export type TargetRead = (key: string) => Json | undefined;

/**
 * What a rule computes from its source facts, apart from where it writes and how it fails.
 * The same code runs live and in a rebuild (on a `fresh()` copy with empty inputs), so a
 * rebuild computes exactly what the live rule would have.
 */
export interface RuleProgram {
  readonly kind: RuleKind;
  readonly group: RuleGroup;
  /** The stores whose facts it reads, in order. */
  readonly sources: readonly string[];
  /**
   * Takes in a fact of a source store (also while the rule is paused, so inputs stay current);
   * true when running the rule on it may write.
   */
  track(fact: Fact): boolean;
  /** Runs the rule for a fact `track` accepted; throws whatever the rule's code throws. */
  run(fact: Fact, read: TargetRead): RuleOutput | null;
  /** The same program with empty inputs, as a store that has seen no fact would hold it. */
  fresh(): RuleProgram;
}

/** The group a fact's producer kind belongs to, if a rule wrote it. */
export function groupOfProducer(kind: unknown): RuleGroup | undefined {
  if (kind === 'derivation' || kind === 'projection') return kind;
  if (kind === 'scatter' || kind === 'relation') return 'scatter';
  return undefined;
}

/** A gather rule: re-run over the matching latest facts whenever that set changes. */
export class DerivationProgram implements RuleProgram {
  readonly kind = 'derivation';
  readonly group = 'derivation';
  readonly sources: readonly string[];
  readonly #engine: Engine;
  readonly #spec: DerivationInput;
  readonly #filters: JsonObject;
  /** key -> seq of its latest matching fact; Map order is seq order (a rewrite moves the key last). */
  #members: Map<string, number> | undefined;

  constructor(engine: Engine, spec: DerivationInput, filters: JsonObject, members?: Map<string, number>) {
    this.#engine = engine;
    this.#spec = spec;
    this.#filters = filters;
    this.sources = [spec.sourceStore];
    this.#members = members;
  }

  /** Field equality the matching facts satisfy (a frozen copy). */
  get filters(): JsonObject {
    return this.#filters;
  }

  /** The fixed target key, or undefined when a function picks it. */
  get fixedKey(): string | undefined {
    return typeof this.#spec.targetKey === 'string' ? this.#spec.targetKey : undefined;
  }

  /** Builds the inputs from the store now, O(keys of the source store) once. */
  prepare(): void {
    this.#membersOf();
  }

  track(fact: Fact): boolean {
    const members = this.#membersOf();
    const was = members.delete(fact.key);
    const is = matchesFilters(fact.value, this.#filters);
    if (is) members.set(fact.key, fact.seq);
    return was || is;
  }

  run(fact: Fact): RuleOutput | null {
    const facts = this.#engine.bySeqs([...this.#membersOf().values()]);
    const value = this.#spec.rule(facts);
    if (value === null) return null;
    const key =
      typeof this.#spec.targetKey === 'function' ? this.#spec.targetKey(facts) : this.#spec.targetKey;
    return { key, value, source: fact };
  }

  /** The latest of the matching facts (the highest seq), if any. */
  lastInput(): Fact | undefined {
    let seq: number | undefined;
    for (const s of this.#membersOf().values()) seq = s;
    return seq === undefined ? undefined : this.#engine.bySeqs([seq])[0];
  }

  fresh(): DerivationProgram {
    return new DerivationProgram(this.#engine, this.#spec, this.#filters, new Map());
  }

  /** Forgets the inputs (after compaction or prune); they are rebuilt from the store on next use. */
  reset(): void {
    this.#members = undefined;
  }

  /** The matching keys, built from the store's latest facts on first use: O(keys of the store) once. */
  #membersOf(): Map<string, number> {
    if (this.#members) return this.#members;
    const engine = this.#engine;
    const store = this.#spec.sourceStore;
    const matching: Fact[] = [];
    for (const key of engine.keys(store)) {
      const latest = engine.latestFor(store, key);
      if (latest && matchesFilters(latest.value, this.#filters)) matching.push(latest);
    }
    matching.sort((a, b) => a.seq - b.seq);
    this.#members = new Map(matching.map((f) => [f.key, f.seq]));
    return this.#members;
  }
}

/** A scatter (or a relation index): one write per source fact, keyed by its partition value. */
export class ScatterProgram implements RuleProgram {
  readonly group = 'scatter';
  readonly sources: readonly string[];
  readonly kind: 'scatter' | 'relation';
  readonly #engine: Engine;
  readonly #partitionBy: string;
  readonly #rule: (partitionValue: Json, existing: Json | undefined, fact: Fact) => Json | null;

  constructor(
    engine: Engine,
    kind: 'scatter' | 'relation',
    spec: {
      sourceStore: string;
      partitionBy: string;
      rule: (partitionValue: Json, existing: Json | undefined, fact: Fact) => Json | null;
    },
  ) {
    this.#engine = engine;
    this.kind = kind;
    this.sources = [spec.sourceStore];
    this.#partitionBy = spec.partitionBy;
    this.#rule = spec.rule;
  }

  track(fact: Fact): boolean {
    return isJsonObject(fact.value) && Object.hasOwn(fact.value, this.#partitionBy);
  }

  run(fact: Fact, read: TargetRead): RuleOutput | null {
    // `track` accepted the fact: its value is an object with the partition field.
    const partitionValue = (fact.value as JsonObject)[this.#partitionBy] as Json;
    const key = partitionKeyOf(partitionValue, (v) => this.#engine.canonicalJson(v));
    if (key === undefined) return null;
    const value = this.#rule(partitionValue, read(key), fact);
    return value === null ? null : { key, value, source: fact };
  }

  fresh(): ScatterProgram {
    // A scatter keeps no inputs of its own: its state is the target.
    return this;
  }
}

/** A running projection: every fact of its stores folds into one target key's value. */
export class ProjectionProgram implements RuleProgram {
  readonly kind = 'projection';
  readonly group = 'projection';
  readonly sources: readonly string[];
  readonly #targetKey: string | ((fact: Fact) => string | null);
  readonly #rule: (existing: Json | undefined, fact: Fact) => Json | null;

  constructor(spec: {
    reads: readonly string[];
    targetKey: string | ((fact: Fact) => string | null);
    rule: (existing: Json | undefined, fact: Fact) => Json | null;
  }) {
    this.sources = [...new Set(spec.reads)];
    this.#targetKey = spec.targetKey;
    this.#rule = spec.rule;
  }

  track(): boolean {
    return true;
  }

  run(fact: Fact, read: TargetRead): RuleOutput | null {
    const key = typeof this.#targetKey === 'function' ? this.#targetKey(fact) : this.#targetKey;
    if (key === null || key === undefined) return null;
    const value = this.#rule(read(key), fact);
    return value === null ? null : { key, value, source: fact };
  }

  fresh(): ProjectionProgram {
    return this;
  }
}
