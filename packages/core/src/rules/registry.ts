import { checkFilters, checkInput, checkName, toMs } from '../args.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import {
  DERIVATION_FIELDS,
  PROJECTION_FIELDS,
  RELATION_FIELDS,
  RESOLVE_FIELDS,
  SCATTER_FIELDS,
} from '../input-fields.js';
import { isJsonObject, type Json } from '../json.js';
import type { SchemaGraph } from '../schema-graph.js';
import { partitionKeyOf } from './partition-key.js';
import { type RuleHost, RuleSet } from './rule-set.js';
import type {
  DerivationInput,
  ProjectionInput,
  RelationIndexValue,
  RelationInput,
  ScatterInput,
} from './types.js';

/** What the registry needs from the store besides the rule host. */
export interface RegistryHost extends RuleHost {
  readonly schemaGraph: SchemaGraph;
  addCommitListener(listener: (fact: Fact) => void): void;
  read(input: { store: string; key: string; asOf?: number }): Json | undefined;
}

/** The index store of a relation. */
export function relationIndexStore(name: string): string {
  return `__rel_${name}`;
}

function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function checkFunction(value: unknown, what: string): void {
  if (typeof value !== 'function') throw badArgument(`${what} must be a function`);
}

function sameRelation(a: RelationInput, b: RelationInput): boolean {
  return a.source === b.source && a.partition === b.partition && a.target === b.target;
}

/**
 * Validates and registers derivations, scatters, relations and projections, and resolves
 * relations. Rules start running on the first registration.
 */
export class RuleRegistry {
  readonly #host: RegistryHost;
  readonly #rules: RuleSet;
  readonly #relations = new Map<string, RelationInput>();
  #listening = false;

  constructor(host: RegistryHost) {
    this.#host = host;
    this.#rules = new RuleSet(host);
  }

  /** Forgets materialized rule inputs after facts were removed. */
  reset(): void {
    this.#rules.reset();
  }

  registerDerivation(input: DerivationInput): void {
    checkInput<DerivationInput>(input, 'registerDerivation input', DERIVATION_FIELDS);
    const sourceStore = checkName(input.sourceStore, 'sourceStore');
    const targetStore = checkName(input.targetStore, 'targetStore');
    const filters = checkFilters(input.sourceFilters, 'sourceFilters');
    if (typeof input.targetKey !== 'function') checkName(input.targetKey, 'targetKey');
    checkFunction(input.rule, 'rule');
    const targetKey = typeof input.targetKey === 'function' ? 'callable' : input.targetKey;
    const name =
      input.name === undefined
        ? `${sourceStore}->${targetStore}/${targetKey}`
        : checkName(input.name, 'name');
    this.#listen();
    this.#rules.addDerivation(name, { ...input, sourceStore, targetStore }, filters);
    this.#host.schemaGraph.registerDerivation({
      sourceStore,
      targetStore,
      targetKey,
      sourceFilters: filters,
    });
  }

  registerScatter(input: ScatterInput): void {
    checkInput<ScatterInput>(input, 'registerScatter input', SCATTER_FIELDS);
    const sourceStore = checkName(input.sourceStore, 'sourceStore');
    const targetStore = checkName(input.targetStore, 'targetStore');
    const partitionBy = checkName(input.partitionBy, 'partitionBy');
    checkFunction(input.rule, 'rule');
    const name =
      input.name === undefined
        ? `${sourceStore}->${targetStore} by ${partitionBy}`
        : checkName(input.name, 'name');
    this.#listen();
    this.#rules.addScatter(name, { ...input, sourceStore, targetStore, partitionBy }, 'scatter');
    this.#host.schemaGraph.registerScatter({ name, sourceStore, partitionBy, targetStore });
  }

  /**
   * Registers a relation: a scatter keeping, per partition value, the grow-only set of source
   * keys in `__rel_<name>`. Registering the same definition again is a no-op; a different one
   * under the same name is ERR_INVALID_ARGUMENT.
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
    this.#relations.set(relationName, relation);
    this.#listen();
    this.#rules.addScatter(
      `relation:${relationName}`,
      {
        sourceStore: relation.source,
        partitionBy: relation.partition,
        targetStore: relationIndexStore(relationName),
        rule: (partitionValue, existing, fact) => addToGSet(partitionValue, existing, fact.key),
      },
      'relation',
    );
    this.#host.schemaGraph.registerRelation({
      name: relationName,
      ...relation,
      indexStore: relationIndexStore(relationName),
    });
    // The relation runs as a scatter into its index store; scatterSnapshot() lists it as one.
    this.#host.schemaGraph.registerScatter({
      name: `relation:${relationName}`,
      sourceStore: relation.source,
      partitionBy: relation.partition,
      targetStore: relationIndexStore(relationName),
    });
  }

  /**
   * The (coerced) values of the source keys related to `from`, as of `asOf`: keys from the
   * relation index whose value at that time still carries `from` in the partition field, in
   * the order they were first indexed. Throws ERR_NO_RELATION. Cost: O(keys ever indexed under `from`).
   */
  resolve(name: string, input: { from: Json; asOf?: number | Date }): Json[] {
    const relation = this.#relations.get(name);
    if (!relation) {
      throw new IgniterError('ERR_NO_RELATION', `no relation named ${JSON.stringify(name)} is registered`, {
        details: { relation: name },
      });
    }
    checkInput(input, 'resolve input', RESOLVE_FIELDS);
    const asOf = toMs(input.asOf, 'asOf');
    const engine = this.#host.internalEngine;
    const canonical = (v: Json): string => engine.canonicalJson(v);
    const partitionKey = partitionKeyOf(input.from, canonical);
    if (partitionKey === undefined) return [];
    const entry = this.#host.read({
      store: relationIndexStore(name),
      key: partitionKey,
      ...(asOf === undefined ? {} : { asOf }),
    });
    if (!isJsonObject(entry) || !Array.isArray(entry.keys)) return [];
    const values: Json[] = [];
    for (const key of entry.keys) {
      if (typeof key !== 'string') continue;
      const fact = engine.latestFor(relation.source, key, asOf);
      const raw = fact?.value;
      if (!isJsonObject(raw) || !Object.hasOwn(raw, relation.partition)) continue;
      if (partitionKeyOf(raw[relation.partition], canonical) !== partitionKey) continue;
      const value = this.#host.read({ store: relation.source, key, ...(asOf === undefined ? {} : { asOf }) });
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  registerProjection(input: ProjectionInput): void {
    checkInput<ProjectionInput>(input, 'registerProjection input', PROJECTION_FIELDS);
    const name = checkName(input.name, 'name');
    if (!Array.isArray(input.reads)) throw badArgument('reads must be an array of store names');
    const reads = input.reads.map((s, i) => checkName(s, `reads[${i}]`));
    const relations = (input.relations ?? []).map((s, i) => checkName(s, `relations[${i}]`));
    if (input.consumerHint !== undefined && typeof input.consumerHint !== 'string') {
      throw badArgument('consumerHint must be a string');
    }
    if (input.reactive !== undefined && typeof input.reactive !== 'boolean') {
      throw badArgument('reactive must be a boolean');
    }
    this.#host.schemaGraph.registerProjection({
      name,
      reads,
      relations,
      consumerHint: input.consumerHint ?? null,
      reactive: input.reactive ?? false,
    });
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#host.addCommitListener((fact) => this.#rules.afterCommit(fact));
  }
}

/** The relation scatter: add the source key to the partition's set; null when already there. */
function addToGSet(partitionValue: Json, existing: Json | undefined, key: string): RelationIndexValue | null {
  const keys =
    isJsonObject(existing) && Array.isArray(existing.keys)
      ? existing.keys.filter((k): k is string => typeof k === 'string')
      : [];
  if (keys.includes(key)) return null;
  keys.push(key);
  return { keys, count: keys.length, partitionValue };
}
