import type { Backend, PurgedRange, RecoveredCut, StoreLink } from './backend.js';
import type { Engine } from './engine/types.js';
import type { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import type { Lifecycle } from './lifecycle/lifecycle.js';
import { PRUNE_PRODUCER } from './lifecycle/types.js';
import type { SeqWaiters } from './seq-waiters.js';
import type { WritePath } from './write-path.js';

/** The parts of a store its backend reaches: what it loads at open and what it applies later. */
export interface BackendLinkHost {
  readonly log: Engine;
  readonly writes: WritePath;
  readonly lifecycle: Lifecycle;
  readonly seqWaiters: SeqWaiters;
  /** Drops the derived state of removed facts (`IgniterStore.afterRemoval`). */
  afterRemoval(removed: readonly Fact[]): void;
  /** The backend stopped for good: the store closes with `error`. */
  closedBy(error: IgniterError): void;
}

/**
 * Connects a store to its backend at open, in this order: loads the stored facts into the engine
 * (`hydrate`), lets the backend see the engine, reports recovery cuts to `onRecover`, and
 * subscribes to purges and to facts another process commits or removes (a follower's writer).
 */
export function attachBackend(
  backend: Backend | undefined,
  host: BackendLinkHost,
  onRecover: ((cut: RecoveredCut) => void) | undefined,
): void {
  if (backend) {
    hydrate(backend, host);
    backend.linkEngine?.(host.log);
  }
  if (onRecover) for (const cut of backend?.storageStats?.().recovered ?? []) onRecover(cut);
  backend?.onPurge?.((purged) => forgetPurged(host, purged));
  backend?.link?.(storeLink(host));
}

function hydrate(backend: Backend, host: BackendLinkHost): void {
  const log = host.log;
  const preloaded = backend.takePreloaded?.(log.kind);
  if (!(preloaded && log.adopt?.(preloaded))) log.load(backend.replay());
  const high = backend.highWaterSeq?.();
  if (high !== undefined) log.advanceSeq(high);
  // Only the facts that leave state behind are read, not the whole log.
  const restorable = log.restorable(PRUNE_PRODUCER);
  host.writes.restore(log.last(), restorable);
  for (const fact of restorable) host.lifecycle.observe(fact);
}

/** How the backend reaches this store: facts a writer elsewhere committed or removed, and its end. */
function storeLink(host: BackendLinkHost): StoreLink {
  return {
    applyFacts: (facts, highWaterSeq) => {
      host.writes.applyReplicated(facts);
      for (const fact of facts) host.lifecycle.observe(fact);
      host.log.advanceSeq(highWaterSeq);
      host.seqWaiters.reached(host.log.lastSeq());
    },
    removeFacts: (ids) => {
      if (ids.length > 0) host.afterRemoval(host.log.remove(ids));
    },
    closed: (error) => host.closedBy(error),
  };
}

/** Drops from memory the facts a backend purge removed from disk (reads match a reopen). */
function forgetPurged(host: BackendLinkHost, purged: readonly PurgedRange[]): void {
  const ids: string[] = [];
  for (const range of purged) {
    for (const fact of host.log.factsFor(range.store, undefined)) {
      if (fact.seq >= range.minSeq && fact.seq <= range.maxSeq) ids.push(fact.id);
    }
  }
  if (ids.length > 0) host.afterRemoval(host.log.remove(ids));
}
