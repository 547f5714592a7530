// The lineage of a key as a graph: its facts in a column, what fed them on the left (causes
// outside the key, source facts of derivations, rules that wrote it), what it feeds on the right
// (derivations and relations reading its store).

import type { DerivedBy, Fact, Lineage } from './types.js';

export interface GraphNode {
  id: string;
  column: 0 | 1 | 2;
  row: number;
  title: string;
  detail: string;
  /** The fact this node stands for, if any (the node links to it). */
  factId: string | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  label: 'caused' | 'derived' | 'wrote' | 'feeds' | 'relates';
}

export interface Relation {
  name: string;
  source: string;
  partition: string;
  target: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

function ruleDetail(rule: DerivedBy): string {
  return `${rule.kind}: ${rule.sourceStore} → ${rule.targetStore}/${rule.targetKey}`;
}

/** The graph of a lineage, given the key's facts (for their derivations) and the store's relations. */
export function lineageGraph(lineage: Lineage, facts: Fact[], relations: Relation[]): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const rows = [0, 0, 0];
  const add = (node: Omit<GraphNode, 'row'>): string => {
    if (!nodes.some((existing) => existing.id === node.id)) {
      nodes.push({ ...node, row: rows[node.column] ?? 0 });
      rows[node.column] = (rows[node.column] ?? 0) + 1;
    }
    return node.id;
  };
  const inChain = new Set(lineage.chain.map((entry) => entry.id));
  const byId = new Map(facts.map((fact) => [fact.id, fact]));
  const { store, key } = lineage.subject;

  lineage.chain.forEach((entry, index) => {
    add({
      id: entry.id,
      column: 1,
      title: `v${index + 1} ${entry.store}/${entry.key}`,
      detail: `hash ${entry.valueHash.slice(0, 12)}`,
      factId: entry.id,
    });
  });
  for (const entry of lineage.chain) {
    if (entry.causation) {
      if (!inChain.has(entry.causation)) {
        add({
          id: entry.causation,
          column: 0,
          title: 'cause',
          detail: entry.causation,
          factId: entry.causation,
        });
      }
      edges.push({ from: entry.causation, to: entry.id, label: 'caused' });
    }
    const derivation = byId.get(entry.id)?.derivation;
    const source = derivation?.sourceFactId;
    if (typeof source === 'string') {
      const where = `${String(derivation?.sourceStore ?? '?')}/${String(derivation?.sourceKey ?? '?')}`;
      add({ id: source, column: 0, title: `source ${where}`, detail: source, factId: source });
      edges.push({ from: source, to: entry.id, label: 'derived' });
    }
  }
  const last = lineage.chain.at(-1)?.id;
  for (const rule of lineage.derivedBy) {
    const wroteSubject =
      rule.targetStore === store && (rule.targetKey === key || rule.targetKey === 'callable');
    const id = `rule:${rule.rule}`;
    add({
      id,
      column: wroteSubject ? 0 : 2,
      title: `rule ${rule.rule}`,
      detail: ruleDetail(rule),
      factId: null,
    });
    if (!last) continue;
    if (wroteSubject) edges.push({ from: id, to: last, label: 'wrote' });
    else edges.push({ from: last, to: id, label: 'feeds' });
  }
  for (const relation of relations) {
    if (relation.source !== store && relation.target !== store) continue;
    const id = `relation:${relation.name}`;
    add({
      id,
      column: 2,
      title: `relation ${relation.name}`,
      detail: `${relation.source}.${relation.partition} → ${relation.target}`,
      factId: null,
    });
    if (last) edges.push({ from: last, to: id, label: 'relates' });
  }
  return { nodes, edges };
}
