import type { Fact } from '../fact.js';
import { CausationAudit } from './causation-audit.js';
import type { VerifyProblem, VerifyResult } from './types.js';

/**
 * Checks facts as they are read back (`store.verify()`): every `valueHash` recomputed from the
 * value with the store's engine, seqs strictly increasing within each file and never repeated
 * across files, and causation links (see {@link CausationAudit}).
 */
export class FactAudit {
  readonly #valueHash: (value: unknown) => string;
  readonly #problems: VerifyProblem[] = [];
  readonly #causation = new CausationAudit();
  readonly #seqs = new Set<number>();
  #factsChecked = 0;
  #runFile: string | undefined | null = null;
  #runSeq = 0;

  /** @param valueHash the engine's SHA-256 of a value's canonical JSON */
  constructor(valueHash: (value: unknown) => string) {
    this.#valueHash = valueHash;
  }

  /** Records a problem of the files themselves. */
  report(problem: VerifyProblem): void {
    this.#problems.push(problem);
  }

  /**
   * Checks one fact, read from `file` at `offset` (both undefined in memory). Facts of one file
   * must come together, in file order. Cost: one canonical JSON and SHA-256 of the value.
   */
  check(fact: Fact, file?: string, offset?: number): void {
    this.#factsChecked += 1;
    const where = (problem: VerifyProblem): VerifyProblem => {
      if (file !== undefined) problem.file = file;
      if (offset !== undefined) problem.offset = offset;
      return problem;
    };
    let hash: string;
    try {
      hash = this.#valueHash(fact.value);
    } catch (error) {
      hash = `(no hash: ${error instanceof Error ? error.message : String(error)})`;
    }
    if (hash !== fact.valueHash) {
      this.#problems.push(
        where({
          kind: 'hash',
          factId: fact.id,
          message: `fact ${fact.id} (seq ${fact.seq}) has valueHash ${fact.valueHash}, but its value hashes to ${hash}`,
        }),
      );
    }
    if (file !== this.#runFile) {
      this.#runFile = file;
      this.#runSeq = 0;
    }
    if (fact.seq <= this.#runSeq) {
      this.#problems.push(
        where({
          kind: 'seq',
          factId: fact.id,
          message: `fact ${fact.id} has seq ${fact.seq}, which does not follow seq ${this.#runSeq}`,
        }),
      );
    } else if (this.#seqs.has(fact.seq)) {
      this.#problems.push(
        where({
          kind: 'seq',
          factId: fact.id,
          message: `seq ${fact.seq} of fact ${fact.id} is stored twice`,
        }),
      );
    }
    this.#runSeq = Math.max(this.#runSeq, fact.seq);
    this.#seqs.add(fact.seq);
    this.#causation.note(fact, file, offset);
  }

  /**
   * The verdict once every fact was checked; `purgedStores` are stores that lost segments to a
   * purge. Cost: the causation checks left pending.
   */
  finish(purgedStores: Iterable<string>): VerifyResult {
    const causation = this.#causation.findings(purgedStores);
    const problems = [...this.#problems, ...causation.problems];
    // A causation naming no known fact is a warning (explicit causation is stored unchecked),
    // unless the files are damaged: then it may name a fact the damage lost.
    const damaged = problems.length > 0;
    if (damaged) problems.push(...causation.unknown);
    const warnings = damaged ? [] : causation.unknown;
    return { ok: problems.length === 0, factsChecked: this.#factsChecked, problems, warnings };
  }
}
