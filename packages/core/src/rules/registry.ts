import { checkFilters, checkInput, checkName, checkWritableStore } from '../args.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import {
  DERIVATION_FIELDS,
  PROJECTION_FIELDS,
  REBUILD_FIELDS,
  RELATION_FIELDS,
  SCATTER_FIELDS,
} from '../input-fields.js';
import type { Json } from '../json.js';
import type { DerivedBy } from '../lineage.js';
import type { SchemaGraph } from '../schema-graph.js';
import { handleRuleFailure } from './poison.js';
import {
  DerivationProgram,
  ProjectionProgram,
  type RuleOutput,
  type RuleProgram,
  ScatterProgram,
} from './program.js';
import { Rebuild, type RebuildHost } from './rebuild.js';
import { addToGSet, indexGrowth, relationIndexStore, resolveRelation, sameRelation } from './relations.js';
import { Rule } from './rule.js';
import { producedBy, sourcedFrom } from './rule-lineage.js';
import { type RuleHost, RuleSet } from './rule-set.js';
import type {
  DerivationInput,
  ProjectionInput,
  RebuildOptions,
  RebuildResult,
  RelationInput,
  RuleErrorPolicy,
  RuleOptions,
  RuleStatus,
  ScatterInput,
} from './types.js';

/** What the registry needs from the store besides the rule host. */
export interface RegistryHost extends RuleHost {
  readonly schemaGraph: SchemaGraph;
  addCommitListener(listener: (fact: Fact) => void): void;
  /** False once the store is closed. */
  isOpen(): boolean;
  /** The number of live facts of a store. */
  factCount(store: string): number;
}

export { relationIndexStore };

function badArgument(message: string, details?: Record<string, unknown>): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message, details ? { details } : {});
}

function checkFunction(value: unknown, what: string): void {
  if (typeof value !== 'function') throw badArgument(`${what} must be a function`);
}

const POLICIES: readonly RuleErrorPolicy[] = ['report', 'skip', 'stop'];

/** The checked `onError` and `backfill` of a registration. */
function checkRuleOptions(input: RuleOptions): { onError: RuleErrorPolicy; backfill: boolean } {
  const onError = input.onError ?? 'report';
  if (!POLICIES.includes(onError)) throw badArgument(`onError must be one of ${POLICIES.join(', ')}`);
  if (input.backfill !== undefined && typeof input.backfill !== 'boolean') {
    throw badArgument('backfill must be a boolean');
  }
  return { onError, backfill: input.backfill === true };
}

/**
 * Validates and registers derivations, scatters, relations and projections under unique names,
 * runs them (backfill, live, rebuild), and resolves relations. Rules start running on the first
 * registration.
 */
export class RuleRegistry {
  readonly #host: RegistryHost;
  readonly #rules: RuleSet;
  /** Every running rule by name, in registration order. */
  readonly #byName = new Map<string, Rule>();
  readonly #relations = new Map<string, RelationInput>();
  #listening = false;

  constructor(host: RegistryHost) {
    this.#host = host;
    this.#rules = new RuleSet(host);
  }

  /** Forgets materialized rule inputs after facts were removed; rebuilds start over. */
  reset(): void {
    this.#rules.reset();
  }

  registerDerivation(input: DerivationInput): void {
    checkInput<DerivationInput>(input, 'registerDerivation input', DERIVATION_FIELDS);
    const sourceStore = checkName(input.sourceStore, 'sourceStore');
    const targetStore = checkName(input.targetStore, 'targetStore');
    const sourceFilters = checkFilters(input.sourceFilters, 'sourceFilters');
    if (typeof input.targetKey !== 'function') checkName(input.targetKey, 'targetKey');
    checkFunction(input.rule, 'rule');
    const options = checkRuleOptions(input);
    const targetKey = typeof input.targetKey === 'function' ? 'callable' : input.targetKey;
    const name = this.#nameFor(input.name, `${sourceStore}->${targetStore}/${targetKey}`);
    const program = new DerivationProgram(
      this.#host.internalEngine,
      { ...input, sourceStore, targetStore },
      sourceFilters,
    );
    // Inputs are taken from the store now: a fact that later leaves the set must find its key there.
    program.prepare();
    const rule = this.#add(name, program, targetStore, options.onError);
    this.#host.schemaGraph.registerDerivation({ name, sourceStore, targetStore, targetKey, sourceFilters });
    if (options.backfill) this.#backfillDerivation(rule, program);
  }

  registerScatter(input: ScatterInput): void {
    checkInput<ScatterInput>(input, 'registerScatter input', SCATTER_FIELDS);
    const sourceStore = checkName(input.sourceStore, 'sourceStore');
    const targetStore = checkName(input.targetStore, 'targetStore');
    const partitionBy = checkName(input.partitionBy, 'partitionBy');
    checkFunction(input.rule, 'rule');
    const options = checkRuleOptions(input);
    const name = this.#nameFor(input.name, `${sourceStore}->${targetStore} by ${partitionBy}`);
    const program = new ScatterProgram(this.#host.internalEngine, 'scatter', {
      sourceStore,
      partitionBy,
      rule: input.rule,
    });
    const rule = this.#add(name, program, targetStore, options.onError);
    this.#host.schemaGraph.registerScatter({ name, sourceStore, partitionBy, targetStore });
    if (options.backfill) this.#backfill(rule);
  }

  /**
   * Registers a relation: a scatter keeping, per partition value, the grow-only set of source
   * keys in `__rel_<name>`, and indexes the latest fact of every key already in the source
   * store. The same definition again is a no-op; another definition under the name, or a name
   * another rule holds, is ERR_INVALID_ARGUMENT.
   */
  registerRelation(name: string, input: RelationInput): void {
    const relationName = checkName(name, 'relation name');
    checkInput<RelationInput>(input, 'registerRelation input', RELATION_FIELDS);
    const relation: RelationInput = {
      source: checkName(input.source, 'source'),
      partition: checkName(input.partition, 'partition'),
      target: checkName(input.target, 'target'),
    };
    const known = this.#relations.get(relationName);
    if (known) {
      if (sameRelation(known, relation)) return;
      throw badArgument(`relation "${relationName}" is already registered with another definition`);
    }
    this.#nameFor(relationName, relationName);
    const indexStore = relationIndexStore(relationName);
    const program = new ScatterProgram(this.#host.internalEngine, 'relation', {
      sourceStore: relation.source,
      partitionBy: relation.partition,
      rule: (partitionValue, existing, fact) => addToGSet(partitionValue, existing, fact.key),
    });
    this.#relations.set(relationName, relation);
    const rule = this.#add(relationName, program, indexStore, 'report');
    this.#host.schemaGraph.registerRelation({ name: relationName, ...relation, indexStore });
    // The relation runs as a scatter into its index store; scatterSnapshot() lists it as one.
    this.#host.schemaGraph.registerScatter({
      name: `relation:${relationName}`,
      sourceStore: relation.source,
      partitionBy: relation.partition,
      targetStore: indexStore,
    });
    this.#indexExisting(rule, relation);
  }

  /** See `IgniterStore.resolve`. */
  resolve(name: string, input: { from: Json; asOf?: number | Date }): Json[] {
    return resolveRelation(this.#host, name, this.#relations.get(name), input);
  }

  /**
   * Registers a projection. Metadata only without `rule` (the same name again replaces it);
   * with `targetStore`, `targetKey` and `rule` it also runs as a rule named `name`.
   */
  registerProjection(input: ProjectionInput): void {
    checkInput<ProjectionInput>(input, 'registerProjection input', PROJECTION_FIELDS);
    if (!Array.isArray(input.reads)) throw badArgument('reads must be an array of store names');
    const reads = input.reads.map((s, i) => checkName(s, `reads[${i}]`));
    const relations = (input.relations ?? []).map((s, i) => checkName(s, `relations[${i}]`));
    if (input.consumerHint !== undefined && typeof input.consumerHint !== 'string') {
      throw badArgument('consumerHint must be a string');
    }
    if (input.reactive !== undefined && typeof input.reactive !== 'boolean') {
      throw badArgument('reactive must be a boolean');
    }
    const runs = input.rule !== undefined || input.targetStore !== undefined || input.targetKey !== undefined;
    const generated = runs ? `${reads.join('+')}->${String(input.targetStore)}` : reads.join('+');
    const name = input.name === undefined ? undefined : checkName(input.name, 'name');
    if (name === undefined && reads.length === 0)
      throw badArgument('a projection needs a name or the stores it reads');
    let program: ProjectionProgram | undefined;
    let targetStore: string | undefined;
    let options: { onError: RuleErrorPolicy; backfill: boolean } | undefined;
    if (runs) {
      targetStore = checkName(input.targetStore, 'targetStore');
      if (typeof input.targetKey !== 'function') checkName(input.targetKey, 'targetKey');
      checkFunction(input.rule, 'rule');
      if (reads.length === 0) throw badArgument('a running projection reads at least one store');
      options = checkRuleOptions(input);
      program = new ProjectionProgram({
        reads,
        targetKey: input.targetKey as string | ((fact: Fact) => string | null),
        rule: input.rule as (existing: Json | undefined, fact: Fact) => Json | null,
      });
    } else if (input.onError !== undefined || input.backfill !== undefined) {
      throw badArgument('onError and backfill need a running projection (targetStore, targetKey and rule)');
    }
    const projectionName = this.#projectionName(name, generated, runs);
    const metadata = {
      name: projectionName,
      reads,
      relations,
      consumerHint: input.consumerHint ?? null,
      reactive: input.reactive ?? false,
    };
    if (!program || !targetStore || !options) {
      this.#host.schemaGraph.registerProjection(metadata);
      return;
    }
    const rule = this.#add(projectionName, program, targetStore, options.onError);
    this.#host.schemaGraph.registerProjection(metadata);
    if (options.backfill) this.#backfill(rule);
  }

  /** Every rule's status, in registration order. Cost: O(rules). */
  ruleStatus(): RuleStatus[] {
    return [...this.#byName.values()].map((rule) => rule.status());
  }

  /** Lets a stopped rule run again from the next source fact. Throws ERR_INVALID_ARGUMENT for an unknown name. */
  resume(name: string): void {
    const rule = this.#ruleNamed(name);
    if (rule.state !== 'stopped') return;
    rule.state = 'running';
    rule.stoppedBy = undefined;
    rule.skipped = 0;
  }

  /** Starts a rebuild (see `IgniterStore.rebuild`); throws its argument errors synchronously. */
  rebuild(name: string, options: RebuildOptions = {}): Promise<RebuildResult> {
    const rule = this.#ruleNamed(name);
    checkInput<RebuildOptions>(options, 'rebuild options', REBUILD_FIELDS);
    const into = options.into === undefined ? undefined : checkWritableStore(options.into, 'into');
    const sources = rule.program.sources;
    if (rule.state === 'rebuilding') throw badArgument(`rule "${name}" is already rebuilding`, { name });
    if (sources.includes(rule.target)) {
      throw badArgument(`rule "${name}" writes to its own source store and cannot be rebuilt`, { name });
    }
    if (into !== undefined && into !== rule.target) {
      if (rule.program.kind === 'relation')
        throw badArgument('a relation index cannot be rebuilt into another store');
      if (sources.includes(into)) throw badArgument(`into "${into}" is a source store of rule "${name}"`);
    }
    const host: RebuildHost = {
      internalEngine: this.#host.internalEngine,
      commitInternal: (input, kind) => this.#host.commitInternal(input, kind),
      reportRuleError: (kind, fact, cause, ruleName) =>
        this.#host.reportRuleError(kind, fact, cause, ruleName),
      rules: this.#rules,
      isOpen: () => this.#host.isOpen(),
      factCount: (store) => this.#host.factCount(store),
      retarget: (r, target) => this.#host.schemaGraph.retarget(r.name, target),
    };
    return new Rebuild(host, rule, into === rule.target ? undefined : into).start();
  }

  /**
   * The rules that wrote facts of the key (from their `derivation.rule`), then the derivations
   * fed by its store. Cost: O(facts of the key).
   */
  derivedBy(subject: { store: string; key: string }, facts: readonly Fact[]): DerivedBy[] {
    const produced = producedBy(subject, facts, (name) => this.#byName.get(name));
    const names = new Set(produced.map((d) => d.rule));
    const sourced = sourcedFrom(this.#host.schemaGraph.derivationsFrom(subject.store)).filter(
      (d) => !names.has(d.rule),
    );
    return [...produced, ...sourced];
  }

  #add(name: string, program: RuleProgram, target: string, onError: RuleErrorPolicy): Rule {
    const rule = new Rule(name, program, target, onError);
    this.#byName.set(name, rule);
    this.#rules.add(rule);
    this.#listen();
    return rule;
  }

  /** The given name if free (ERR_INVALID_ARGUMENT when taken), or a free generated one. */
  #nameFor(given: unknown, generated: string): string {
    if (given !== undefined) {
      const name = checkName(given, 'name');
      if (this.#byName.has(name)) throw badArgument(`a rule named "${name}" is already registered`, { name });
      return name;
    }
    let name = generated;
    for (let n = 2; this.#byName.has(name); n += 1) name = `${generated} #${n}`;
    return name;
  }

  /**
   * The name of a projection: a running one's is a rule name (unique, and not a metadata
   * projection's); a metadata projection's replaces the metadata of that name unless a rule holds it.
   */
  #projectionName(given: string | undefined, generated: string, runs: boolean): string {
    const graph = this.#host.schemaGraph;
    const name = runs ? this.#nameFor(given, generated) : (given ?? generated);
    if (runs && graph.projectionFor(name)) {
      throw badArgument(`a projection named "${name}" is already registered`, { name });
    }
    if (!runs && this.#byName.get(name)?.program.kind === 'projection') {
      throw badArgument(`a running projection named "${name}" is already registered`, { name });
    }
    return name;
  }

  #ruleNamed(name: string): Rule {
    const rule = typeof name === 'string' ? this.#byName.get(name) : undefined;
    if (!rule) throw badArgument(`no rule named ${JSON.stringify(String(name))} is registered`, { name });
    return rule;
  }

  /** A derivation's backfill: one run over the current matching latest facts, if any match. */
  #backfillDerivation(rule: Rule, program: DerivationProgram): void {
    const source = program.lastInput();
    if (!source) return;
    rule.lastSourceSeq = source.seq;
    let output: RuleOutput | null;
    try {
      output = program.run(source);
    } catch (error) {
      handleRuleFailure(this.#host, rule, source, error);
      return;
    }
    if (output) this.#rules.write(rule, rule.target, output, 'backfill');
  }

  /** Runs the rule over the latest fact of every key of its source stores, in seq order. */
  #backfill(rule: Rule): void {
    const engine = this.#host.internalEngine;
    const latest = rule.program.sources.flatMap((store) => latestFacts(engine, store));
    latest.sort((a, b) => a.seq - b.seq);
    for (const fact of latest) {
      if (rule.state === 'stopped') return;
      rule.lastSourceSeq = fact.seq;
      if (!rule.program.track(fact)) continue;
      this.#rules.runOnce(rule, fact, 'backfill');
    }
  }

  /**
   * Indexes the latest fact of every key of a relation's source store that its index lacks: one
   * index fact per entry that grows, not one per key. Cost: O(keys of the source store).
   */
  #indexExisting(rule: Rule, relation: RelationInput): void {
    const engine = this.#host.internalEngine;
    const facts = latestFacts(engine, relation.source).sort((a, b) => a.seq - b.seq);
    const last = facts[facts.length - 1];
    if (last) rule.lastSourceSeq = last.seq;
    const growth = indexGrowth(
      facts,
      relation.partition,
      (value) => engine.canonicalJson(value),
      (key) => engine.latestValue(rule.target, key),
    );
    for (const entry of growth) this.#rules.write(rule, rule.target, entry, 'backfill');
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#host.addCommitListener((fact) => this.#rules.afterCommit(fact));
  }
}

/** The latest fact of every key of a store, in no particular order. Cost: O(keys). */
function latestFacts(engine: RegistryHost['internalEngine'], store: string): Fact[] {
  const out: Fact[] = [];
  for (const key of engine.keys(store)) {
    const fact = engine.latestFor(store, key);
    if (fact) out.push(fact);
  }
  return out;
}
