import type { Fact } from '../fact.js';
import { isJsonObject } from '../json.js';
import { COMPACTION_RECEIPTS, PRUNE_PRODUCER } from '../lifecycle/types.js';
import type { VerifyProblem } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A fact whose causation target had not been seen yet when the fact was read. */
interface Pending {
  factId: string;
  seq: number;
  store: string;
  causation: string;
  file: string | undefined;
  offset: number | undefined;
}

/**
 * Checks causation links over facts read in any order of files (ARCHITECTURE.md D11, `verify`). The rule:
 * - a causation that is not a UUID is an explicit reference to something outside the store,
 *   stored unchecked, and is not checked here either;
 * - a UUID causation must name a fact with a lower seq that is still stored, or
 * - a fact that a prune removed (its id is in some prune receipt's `prunedFactRefs`), or
 * - any fact, when the citing fact's store lost facts to retention: its store has a compaction
 *   receipt (`compactedStore`) or a segment purge receipt, since those receipts name ranges,
 *   not every id.
 * An explicit causation that is a UUID is taken to name a fact of this store.
 */
export class CausationAudit {
  readonly #seqOf = new Map<string, number>();
  readonly #pending: Pending[] = [];
  readonly #prunedIds = new Set<string>();
  readonly #compactedStores = new Set<string>();
  readonly #problems: VerifyProblem[] = [];

  /** Notes a fact read from `file` at `offset`. Cost: a map insert, plus a lookup for its causation. */
  note(fact: Fact, file: string | undefined, offset: number | undefined): void {
    this.#seqOf.set(fact.id, fact.seq);
    this.#noteReceipt(fact);
    const causation = fact.causation;
    if (causation === null || !UUID.test(causation)) return;
    const pending = { factId: fact.id, seq: fact.seq, store: fact.store, causation, file, offset };
    const target = this.#seqOf.get(causation);
    if (target === undefined) this.#pending.push(pending);
    else this.#checkOrder(pending, target);
  }

  /**
   * The findings of every fact noted, once all are known; `purgedStores` are the stores that lost
   * segments to a purge. `problems`: causations naming a later fact. `unknown`: causations naming
   * no fact known (stored or pruned): an explicit causation is stored unchecked, so alone they
   * are no damage; next to damage they may name facts it lost. Cost: O(facts whose target came
   * later or is gone).
   */
  findings(purgedStores: Iterable<string>): { problems: VerifyProblem[]; unknown: VerifyProblem[] } {
    const unknown: VerifyProblem[] = [];
    const lenient = new Set([...this.#compactedStores, ...purgedStores]);
    for (const pending of this.#pending) {
      const target = this.#seqOf.get(pending.causation);
      if (target !== undefined) this.#checkOrder(pending, target);
      else if (!this.#prunedIds.has(pending.causation) && !lenient.has(pending.store)) {
        unknown.push(
          this.#finding(
            pending,
            `fact ${pending.factId} (seq ${pending.seq}) has causation ${pending.causation}, which is neither a stored fact nor a pruned one`,
          ),
        );
      }
    }
    this.#pending.length = 0;
    return { problems: this.#problems, unknown };
  }

  #checkOrder(pending: Pending, targetSeq: number): void {
    if (targetSeq < pending.seq) return;
    this.#report(
      pending,
      `fact ${pending.factId} (seq ${pending.seq}) has causation ${pending.causation}, a fact with a later seq (${targetSeq})`,
    );
  }

  #report(pending: Pending, message: string): void {
    this.#problems.push(this.#finding(pending, message));
  }

  #finding(pending: Pending, message: string): VerifyProblem {
    const problem: VerifyProblem = { kind: 'causation', factId: pending.factId, message };
    if (pending.file !== undefined) problem.file = pending.file;
    if (pending.offset !== undefined) problem.offset = pending.offset;
    return problem;
  }

  #noteReceipt(fact: Fact): void {
    const value = fact.value;
    if (!isJsonObject(value)) return;
    if (fact.store === COMPACTION_RECEIPTS && typeof value.compactedStore === 'string') {
      this.#compactedStores.add(value.compactedStore);
    } else if (fact.producer?.kind === PRUNE_PRODUCER && Array.isArray(value.prunedFactRefs)) {
      for (const ref of value.prunedFactRefs) {
        if (isJsonObject(ref) && typeof ref.id === 'string') this.#prunedIds.add(ref.id);
      }
    }
  }
}
