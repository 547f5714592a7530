import type { Engine } from './engine/types.js';
import type { PartitionIndex, ScopeIndex } from './indexes.js';
import type { ReadCache } from './read-cache.js';
import type { SchemaGraph } from './schema-graph.js';
import type { TransactionClock } from './transaction-clock.js';

/**
 * The fact log of a store and what the store derives from it: the write path keeps it current
 * (ARCHITECTURE.md D4, D5, D6), the read path answers from it.
 */
export interface StoreState {
  readonly log: Engine;
  readonly clock: TransactionClock;
  readonly schemaGraph: SchemaGraph;
  readonly cache: ReadCache<unknown>;
  readonly scopeIndex: ScopeIndex;
  readonly partitionIndex: PartitionIndex;
  /** Reports a contained rule, consumer or coercion error (`IgniterStore.reportRuleError`). */
  reportRuleError(kind: string, fact: { store: string; key: string; id: string }, cause: unknown): void;
}
