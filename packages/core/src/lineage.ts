import type { Fact } from './fact.js';
import type { JsonObject } from './json.js';
import type { DerivationInfo } from './schema-graph.js';

/** One step of a causation chain (`causationChain`). */
export interface CausationStep {
  id: string;
  /** The first 12 hex chars of the value hash. */
  valueHash: string;
  causation: string | null;
  transactionTime: number;
}

/** One fact of a lineage chain. */
export interface LineageEntry {
  id: string;
  store: string;
  key: string;
  causation: string | null;
  valueHash: string;
  transactionTime: number;
  validTime: number | null;
  schemaVersion: number;
}

/** A derivation sourced from the subject's store. */
export interface DerivedBy {
  targetStore: string;
  targetKey: string;
  sourceFilters: JsonObject;
}

/** The provenance of a key: its facts, the rules that derive it, and a proof hash. */
export interface Lineage {
  subject: { store: string; key: string };
  chain: LineageEntry[];
  depth: number;
  derivedBy: DerivedBy[];
  /** SHA-256 hex of entries "id:valueHash:causation" joined by "|"; null for an empty chain. */
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

/** Builds the lineage of (store, key) from its facts and the derivations sourced from its store. */
export function buildLineage(
  subject: { store: string; key: string },
  facts: readonly Fact[],
  derivations: readonly DerivationInfo[],
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
    derivedBy: derivations.map((d) => ({
      targetStore: d.targetStore,
      targetKey: d.targetKey,
      sourceFilters: d.sourceFilters,
    })),
    proofHash: chain.length === 0 ? null : sha256Hex(proof),
  };
}
