import type { Engine } from './engine/types.js';
import type { Fact } from './fact.js';
import { isJsonObject } from './json.js';
import type { AccessPath } from './schema-graph.js';
import { matchesFilters } from './scope.js';

/** The index and cache slot of a path; '' for the point path, since a scope name is never empty. */
export function pathSlot(scope: string | null): string {
  return scope === null ? '' : scope;
}

/**
 * The scope index (ARCHITECTURE.md D5): for each registered path, the keys of its store whose latest
 * value matches its filters. A path's members are computed on its first query, then kept by
 * every committed fact (writes and appends alike, point paths included).
 */
export class ScopeIndex {
  /** store -> path slot -> member keys. */
  readonly #byStore = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly log: Engine) {}

  /** The members of a path, built from the log on first use. Cost: O(keys of the store) once. */
  members(path: AccessPath): Set<string> {
    let bySlot = this.#byStore.get(path.store);
    if (!bySlot) {
      bySlot = new Map();
      this.#byStore.set(path.store, bySlot);
    }
    const slot = pathSlot(path.scope);
    let members = bySlot.get(slot);
    if (!members) {
      members = new Set();
      for (const key of this.log.keys(path.store)) {
        const latest = this.log.latestFor(path.store, key);
        if (latest && matchesFilters(latest.value, path.filters)) members.add(key);
      }
      bySlot.set(slot, members);
    }
    return members;
  }

  /**
   * Moves `key` in or out of each path of `store` after a commit whose new value is `value`
   * (`previous` is the key's latest fact before it). Returns the paths the key belonged to before or after,
   * also those whose members are not built yet. Cost: O(paths of the store).
   */
  apply(
    store: string,
    paths: readonly AccessPath[],
    key: string,
    previous: Fact | undefined,
    value: unknown,
  ): AccessPath[] {
    const touched: AccessPath[] = [];
    const bySlot = this.#byStore.get(store);
    for (const path of paths) {
      const members = bySlot?.get(pathSlot(path.scope));
      const wasMember = members
        ? members.has(key)
        : previous !== undefined && matchesFilters(previous.value, path.filters);
      const isMember = matchesFilters(value, path.filters);
      if (members) {
        if (isMember) members.add(key);
        else members.delete(key);
      }
      if (wasMember || isMember) touched.push(path);
    }
    return touched;
  }

  /** Forgets a path's members (it was registered again); they are rebuilt on its next query. */
  drop(store: string, scope: string | null): void {
    this.#byStore.get(store)?.delete(pathSlot(scope));
  }

  /** Forgets everything (facts were removed). */
  clear(): void {
    this.#byStore.clear();
  }
}

/**
 * The partition index (ARCHITECTURE.md D5): for a (store, field), the seqs of the store's facts by the
 * canonical JSON of `value[field]`. Built from every fact of the store on first use, then kept by
 * every committed fact, whether written or appended.
 */
export class PartitionIndex {
  /** store -> field -> canonical partition value -> seqs, ascending. */
  readonly #byStore = new Map<string, Map<string, Map<string, number[]>>>();

  constructor(private readonly log: Engine) {}

  /** The partitions of (store, field), built on first use. Cost: O(facts of the store) once. */
  of(store: string, field: string): Map<string, number[]> {
    let byField = this.#byStore.get(store);
    if (!byField) {
      byField = new Map();
      this.#byStore.set(store, byField);
    }
    let byValue = byField.get(field);
    if (!byValue) {
      byValue = new Map();
      for (const fact of this.log.factsFor(store, undefined)) this.#add(byValue, field, fact.value, fact.seq);
      byField.set(field, byValue);
    }
    return byValue;
  }

  /** Adds a committed fact (whose value is `value`) to every built partition of its store. */
  apply(fact: Fact, value: unknown): void {
    const byField = this.#byStore.get(fact.store);
    if (!byField) return;
    for (const [field, byValue] of byField) this.#add(byValue, field, value, fact.seq);
  }

  /** Forgets everything (facts were removed). */
  clear(): void {
    this.#byStore.clear();
  }

  #add(byValue: Map<string, number[]>, field: string, value: unknown, seq: number): void {
    if (!isJsonObject(value) || !Object.hasOwn(value, field)) return;
    const id = this.log.canonicalJson(value[field]);
    const seqs = byValue.get(id);
    if (seqs) seqs.push(seq);
    else byValue.set(id, [seq]);
  }
}

/**
 * The idempotency keys of live facts: per store, key -> id of the fact that carries it. Facts
 * that leave the log (compaction, prune) release their keys.
 */
export class IdempotencyIndex {
  readonly #byStore = new Map<string, Map<string, string>>();

  /** The id of the live fact of `store` that carries `idempotencyKey`, if any. Cost: O(1). */
  factIdFor(store: string, idempotencyKey: string): string | undefined {
    return this.#byStore.get(store)?.get(idempotencyKey);
  }

  /** Records a committed or replayed fact's key, if it has one. */
  remember(fact: Fact): void {
    if (fact.idempotencyKey === null) return;
    let keys = this.#byStore.get(fact.store);
    if (!keys) {
      keys = new Map();
      this.#byStore.set(fact.store, keys);
    }
    keys.set(fact.idempotencyKey, fact.id);
  }

  /** Releases the key of a fact that left the log. */
  forget(fact: Fact): void {
    if (fact.idempotencyKey !== null) this.#byStore.get(fact.store)?.delete(fact.idempotencyKey);
  }
}
