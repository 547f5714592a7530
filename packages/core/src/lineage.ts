import type { Fact } from './fact.js';
import type { JsonObject } from './json.js';

/** One step of a causation chain (`causationChain`). */
export interface CausationStep {
  /** The fact id. */
  id: string;
  /** The first 12 hex chars of the value hash. */
  valueHash: string;
  /** Id of the fact this one follows, or null. */
  causation: string | null;
  /** Integer ms since the epoch when the fact was committed. */
  transactionTime: number;
}

/** One fact of a lineage chain. */
export interface LineageEntry {
  /** The fact id. */
  id: string;
  /** The store of the fact. */
  store: string;
  /** The key of the fact. */
  key: string;
  /** Id of the fact this one follows, or null. */
  causation: string | null;
  /** The full SHA-256 hex value hash. */
  valueHash: string;
  /** Integer ms since the epoch when the fact was committed. */
  transactionTime: number;
  /** Writer-supplied valid time, or null. */
  validTime: number | null;
  /** The schema version the fact was written with. */
  schemaVersion: number;
}

/**
 * A rule in a lineage: one that wrote facts of the subject key, or a derivation fed by the
 * subject's store.
 */
export interface DerivedBy {
  /** The rule's name (`derivation.rule` of the facts it writes). */
  rule: string;
  /** What kind of rule it is (the `producer.kind` of its facts). */
  kind: string;
  /** The store whose facts it computes from (for a rule that wrote the key: that of its latest fact there). */
  sourceStore: string;
  /** The store it writes to. */
  targetStore: string;
  /** The fixed target key, 'callable' when a function picks it, or the subject key for a rule that wrote it. */
  targetKey: string;
  /** Field equality the source facts must satisfy ({} for rules other than derivations). */
  sourceFilters: JsonObject;
}

/** The provenance of a key: its facts, the rules that derive it, and a proof hash. */
export interface Lineage {
  /** The (store, key) asked about. */
  subject: { store: string; key: string };
  /** Every live fact of the key, seq order, without values. */
  chain: LineageEntry[];
  /** The length of the chain. */
  depth: number;
  /**
   * The rules that wrote facts of the key (found by their facts' `derivation.rule`, in the order
   * they first wrote it), then the derivations fed by the subject's store.
   */
  derivedBy: DerivedBy[];
  /**
   * SHA-256 hex of entries "id:valueHash:causation" (seq order, a null causation written as "")
   * joined by "|"; null for an empty chain.
   */
  proofHash: string | null;
}

/** The causation chain of a key's facts (seq order). */
export function causationSteps(facts: readonly Fact[]): CausationStep[] {
  return facts.map((f) => ({
    id: f.id,
    valueHash: f.valueHash.slice(0, 12),
    causation: f.causation,
    transactionTime: f.transactionTime,
  }));
}

/** Builds the lineage of (store, key) from its facts and the rules related to it. */
export function buildLineage(
  subject: { store: string; key: string },
  facts: readonly Fact[],
  derivedBy: DerivedBy[],
  sha256Hex: (text: string) => string,
): Lineage {
  const chain = facts.map((f) => ({
    id: f.id,
    store: f.store,
    key: f.key,
    causation: f.causation,
    valueHash: f.valueHash,
    transactionTime: f.transactionTime,
    validTime: f.validTime,
    schemaVersion: f.schemaVersion,
  }));
  const proof = chain.map((e) => `${e.id}:${e.valueHash}:${e.causation ?? ''}`).join('|');
  return {
    subject: { store: subject.store, key: subject.key },
    chain,
    depth: chain.length,
    derivedBy,
    proofHash: chain.length === 0 ? null : sha256Hex(proof),
  };
}
