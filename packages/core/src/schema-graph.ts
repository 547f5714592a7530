import type { Json, JsonObject } from './json.js';
import { deepEqual } from './scope.js';

/** What a consumer is told after a committed fact touched its path. */
export interface ConsumerEvent {
  /** The store of the committed fact. */
  store: string;
  /** The key of the committed fact. */
  key: string;
  /** Set for scope consumers: the scope whose membership the key had before or after. */
  scope?: string;
}

/** A callback registered on an access path; called synchronously after each relevant commit. */
export type Consumer = (event: ConsumerEvent) => void;

/** A registered access path: a store, an optional named scope with field-equality filters. */
export interface AccessPath {
  /** The store the path reads. */
  readonly store: string;
  /** null for a point path (every key of the store). */
  readonly scope: string | null;
  /** Field equality on the latest value (a frozen copy). */
  readonly filters: JsonObject;
  /** Maximum age in ms of a cached query answer, or undefined for no limit. */
  readonly cacheTtl: number | undefined;
  /** Called after each commit to the path. */
  readonly consumers: readonly Consumer[];
  /** Metadata only. */
  readonly lookup: string | undefined;
}

/** A registered projection: inspectable metadata of a read model. */
export interface Projection {
  /** The projection name (its identity). */
  readonly name: string;
  /** The stores it reads. */
  readonly reads: readonly string[];
  /** The relations it uses. */
  readonly relations: readonly string[];
  /** What consumes it (metadata), or null. */
  readonly consumerHint: string | null;
  /** Whether it is meant to update on every commit (metadata). */
  readonly reactive: boolean;
}

/** Metadata of a derivation, as lineage reports it. */
export interface DerivationInfo {
  /** The rule's name. */
  readonly name: string;
  /** The store whose commits trigger the derivation. */
  readonly sourceStore: string;
  /** The store it writes to. */
  readonly targetStore: string;
  /** The fixed target key, or 'callable' when a function picks it. */
  readonly targetKey: string;
  /** Field equality the source facts must satisfy. */
  readonly sourceFilters: JsonObject;
}

/** Metadata of a scatter rule. */
export interface ScatterInfo {
  /** The scatter name used in provenance. */
  readonly name: string;
  /** The store whose commits trigger it. */
  readonly sourceStore: string;
  /** The value field whose value names the target key. */
  readonly partitionBy: string;
  /** The store it writes to. */
  readonly targetStore: string;
}

/** Metadata of a relation. */
export interface RelationInfo {
  /** The relation name. */
  readonly name: string;
  /** The store whose facts are indexed. */
  readonly source: string;
  /** The value field relating a source key to a partition value. */
  readonly partition: string;
  /** The store the partition values refer to (metadata). */
  readonly target: string;
  /** The internal store holding the relation index, "__rel_<name>". */
  readonly indexStore: string;
}

/** One access path in `metadataSnapshot()`. */
export interface PathSnapshot {
  /** The store the path reads. */
  store: string;
  /** The scope, or null for the point path. */
  scope: string | null;
  /** The lookup metadata, or null. */
  lookup: string | null;
  /** A copy of the filters. */
  filters: JsonObject;
  /** The cache ttl in ms, or null. */
  cacheTtl: number | null;
  /** How many consumers the path has. */
  consumerCount: number;
}

/** One projection in `projectionSnapshot()`. */
export interface ProjectionSnapshot {
  /** The projection name. */
  name: string;
  /** The stores it reads. */
  reads: string[];
  /** The relations it uses. */
  relations: string[];
  /** What consumes it, or null. */
  consumerHint: string | null;
  /** Whether it is reactive. */
  reactive: boolean;
  /** The number of stores it reads. */
  storeCount: number;
  /** The number of relations it uses. */
  relationCount: number;
}

function cloneJson<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The registry of what a store knows about its data: access paths, projections and
 * derivations. Looking a store up never registers it.
 */
export class SchemaGraph {
  private readonly paths = new Map<string, AccessPath[]>();
  private readonly projections = new Map<string, Projection>();
  private derivations: DerivationInfo[] = [];
  private scatters: ScatterInfo[] = [];
  private readonly relations = new Map<string, RelationInfo>();

  /** Registers a path; a path with the same (store, scope) is replaced. Returns the graph. */
  registerPath(path: AccessPath): this {
    const list = (this.paths.get(path.store) ?? []).filter((p) => p.scope !== path.scope);
    list.push(path);
    this.paths.set(path.store, list);
    return this;
  }

  /** Registers (or replaces, by name) a projection. Returns the graph. */
  registerProjection(projection: Projection): this {
    this.projections.set(projection.name, projection);
    return this;
  }

  /** Records a derivation's metadata for lineage. Returns the graph. */
  registerDerivation(info: DerivationInfo): this {
    this.derivations.push(info);
    return this;
  }

  /** Records a scatter's metadata. Returns the graph. */
  registerScatter(info: ScatterInfo): this {
    this.scatters.push(info);
    return this;
  }

  /** Moves the derivation or scatter named `name` to another target store (after a rebuild into it). */
  retarget(name: string, targetStore: string): this {
    this.derivations = this.derivations.map((d) => (d.name === name ? { ...d, targetStore } : d));
    this.scatters = this.scatters.map((s) => (s.name === name ? { ...s, targetStore } : s));
    return this;
  }

  /** Records a relation's metadata. Returns the graph. */
  registerRelation(info: RelationInfo): this {
    this.relations.set(info.name, info);
    return this;
  }

  /** The relation named `name`, if registered. */
  relationFor(name: string): RelationInfo | undefined {
    return this.relations.get(name);
  }

  /** Every derivation's metadata, in registration order. */
  derivationSnapshot(): DerivationInfo[] {
    return this.derivations.map((d) => ({ ...d, sourceFilters: cloneJson(d.sourceFilters) }));
  }

  /**
   * Every scatter's metadata in registration order, the scatter of each relation included
   * (named "relation:<name>", writing to its index store "__rel_<name>").
   */
  scatterSnapshot(): ScatterInfo[] {
    return this.scatters.map((s) => ({ ...s }));
  }

  /** Every relation by name. */
  relationSnapshot(): Record<string, RelationInfo> {
    const out: Record<string, RelationInfo> = {};
    for (const [name, info] of this.relations) out[name] = { ...info };
    return out;
  }

  /** The paths of a store (a copy; empty for an unknown store). */
  pathsFor(store: string): AccessPath[] {
    return [...(this.paths.get(store) ?? [])];
  }

  /** The path of (store, scope), scope null for the point path. */
  pathFor(store: string, scope: string | null): AccessPath | undefined {
    return this.paths.get(store)?.find((p) => p.scope === scope);
  }

  /** A path of the store whose filters equal `filters` (the first registered), if any. */
  pathWithFilters(store: string, filters: JsonObject): AccessPath | undefined {
    return this.paths.get(store)?.find((p) => deepEqual(p.filters, filters));
  }

  /** Every consumer registered on a store's paths. */
  consumersFor(store: string): Consumer[] {
    return [...new Set((this.paths.get(store) ?? []).flatMap((p) => p.consumers))];
  }

  /** Stores with at least one registered path. */
  registeredStores(): string[] {
    return [...this.paths.keys()];
  }

  /** Derivations whose source is `store`. */
  derivationsFrom(store: string): DerivationInfo[] {
    return this.derivations.filter((d) => d.sourceStore === store);
  }

  /** Derivations whose target is `store`. */
  derivationsInto(store: string): DerivationInfo[] {
    return this.derivations.filter((d) => d.targetStore === store);
  }

  /** The projection with this name, or undefined. Cost: O(1). */
  projectionFor(name: string): Projection | undefined {
    return this.projections.get(name);
  }

  /** Projections that read `store`. */
  projectionsForStore(store: string): Projection[] {
    return [...this.projections.values()].filter((p) => p.reads.includes(store));
  }

  /** Every path by store, without the consumer functions (counts only). */
  metadataSnapshot(): Record<string, PathSnapshot[]> {
    const out: Record<string, PathSnapshot[]> = {};
    for (const [store, list] of this.paths) {
      out[store] = list.map((p) => ({
        store: p.store,
        scope: p.scope,
        lookup: p.lookup ?? null,
        filters: cloneJson(p.filters),
        cacheTtl: p.cacheTtl ?? null,
        consumerCount: p.consumers.length,
      }));
    }
    return out;
  }

  /** Every projection by name. */
  projectionSnapshot(): Record<string, ProjectionSnapshot> {
    const out: Record<string, ProjectionSnapshot> = {};
    for (const p of this.projections.values()) {
      out[p.name] = {
        name: p.name,
        reads: [...p.reads],
        relations: [...p.relations],
        consumerHint: p.consumerHint,
        reactive: p.reactive,
        storeCount: p.reads.length,
        relationCount: p.relations.length,
      };
    }
    return out;
  }
}
