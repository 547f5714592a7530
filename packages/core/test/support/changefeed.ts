import type { Backend, ChangeEvent, ChangeSubscription, Fact, SnapshotMeta } from '../../src/index.js';

/** Reads exactly `n` events; fails if the subscription ends first. */
export async function take(subscription: ChangeSubscription, n: number): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  for (let i = 0; i < n; i++) {
    const result = await subscription.next();
    if (result.done) throw new Error(`subscription ended after ${events.length} of ${n} events`);
    events.push(result.value);
  }
  return events;
}

/** One line per event, for exact sequence assertions: "3 write tasks/t1" or "lagged 2..4". */
export function describeEvents(events: readonly ChangeEvent[]): string[] {
  return events.map((e) =>
    e.kind === 'lagged' ? `lagged ${e.missedFrom}..${e.missedTo}` : `${e.seq} ${e.kind} ${e.store}/${e.key}`,
  );
}

/** True when `promise` settles before the event loop turns (it does not wait for timers). */
export async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/**
 * A durable log kept in memory: stores opened on it one after another see the same facts and
 * high-water seq, like a file reopened after a restart.
 */
export class MemoryLog {
  facts: Fact[] = [];
  lastSeq = 0;

  /** A backend over this log for one store instance. */
  backend(): Backend {
    return {
      replay: () => [...this.facts],
      writeFact: (fact) => {
        this.facts.push(fact);
        this.lastSeq = Math.max(this.lastSeq, fact.seq);
      },
      flush: async () => {},
      close: async () => {},
      highWaterSeq: () => this.lastSeq,
      replaceWithSnapshot: (facts: readonly Fact[], meta: SnapshotMeta) => {
        this.facts = [...facts];
        this.lastSeq = Math.max(this.lastSeq, meta.lastSeq);
      },
    };
  }
}
