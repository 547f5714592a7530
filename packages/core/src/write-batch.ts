import type { AppendInput, Engine } from './engine/types.js';
import type { Fact } from './fact.js';
import type { SchemaGraph } from './schema-graph.js';
import type { Expectation } from './store-types.js';
import type { TransactionClock } from './transaction-clock.js';

/** A write whose arguments have been checked, ready for the engine. */
export interface PreparedWrite {
  input: Omit<AppendInput, 'transactionTime'>;
  expect: Expectation | undefined;
  explicitCausation: boolean;
  /** An append: the key is a UUIDv7 minted at commit from the transaction time (`input.key` is unused). */
  freshKey?: true;
}

/** How a checked `writeMany` batch goes to the engine in one append. */
export interface BatchPlan {
  /** The batch's facts by input position: so far only the idempotent repeats of stored facts. */
  facts: Fact[];
  /** The engine inputs of the new facts, in order. */
  inputs: AppendInput[];
  /** The batch position of each of `inputs`. */
  positions: number[];
  /**
   * The previous fact of each of `inputs`' keys, for the scope index (undefined when its store
   * has no access paths or the key has no fact): a stored fact, or the batch position of an
   * earlier input of the same key.
   */
  previous: Array<Fact | number | undefined>;
  /** Inputs repeating an earlier input's idempotency key: `[position, that input's position]`. */
  repeats: Array<[number, number]>;
}

/**
 * Plans a checked batch (see `WritePath.writeMany`): each input either repeats a stored fact's
 * idempotency key (`storedRepeat` returns that fact), repeats an earlier input's key, or becomes
 * an engine input dated by `clock` (never below the input before it) whose causation, unless
 * given, the engine links to its key's latest fact, earlier inputs of the batch included.
 * Reads the engine; changes nothing.
 */
export function planBatch(
  batch: readonly PreparedWrite[],
  log: Engine,
  clock: TransactionClock,
  schemaGraph: SchemaGraph,
  storedRepeat: (prepared: PreparedWrite) => Fact | undefined,
): BatchPlan {
  const plan: BatchPlan = {
    facts: new Array(batch.length),
    inputs: [],
    positions: [],
    previous: [],
    repeats: [],
  };
  const firstWithKey = new Map<string, number>();
  const latestInBatch = new Map<string, number>();
  let time = Number.NEGATIVE_INFINITY;
  batch.forEach((prepared, at) => {
    const existing = storedRepeat(prepared);
    if (existing) {
      plan.facts[at] = existing;
      return;
    }
    const { input } = prepared;
    if (input.idempotencyKey !== null) {
      const id = JSON.stringify([input.store, input.idempotencyKey]);
      const first = firstWithKey.get(id);
      if (first !== undefined) {
        plan.repeats.push([at, first]);
        return;
      }
      firstWithKey.set(id, at);
    }
    let previous: Fact | number | undefined;
    if (schemaGraph.pathsFor(input.store).length > 0) {
      const slot = JSON.stringify([input.store, input.key]);
      previous = latestInBatch.get(slot) ?? log.latestFor(input.store, input.key);
      latestInBatch.set(slot, at);
    }
    time = Math.max(time, clock.next());
    // Spelled out rather than spread: this runs once per input and a spread copy is slow.
    plan.inputs.push({
      store: input.store,
      key: input.key,
      value: input.value,
      causation: prepared.explicitCausation ? input.causation : null,
      causeLatest: !prepared.explicitCausation,
      transactionTime: time,
      validTime: input.validTime,
      schemaVersion: input.schemaVersion,
      producer: input.producer,
      derivation: input.derivation,
      idempotencyKey: input.idempotencyKey,
    });
    plan.positions.push(at);
    plan.previous.push(previous);
  });
  return plan;
}
