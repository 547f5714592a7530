import type { Fact } from '../fact.js';
import type { JsonObject } from '../json.js';
import type { DerivedBy } from '../lineage.js';
import type { DerivationInfo } from '../schema-graph.js';
import { DerivationProgram, groupOfProducer } from './program.js';
import type { Rule } from './rule.js';

/**
 * The rules that wrote facts of a key, in the order they first wrote it, named by the facts'
 * `derivation.rule` (so a rule not registered in this process is still named). A registered
 * derivation contributes its filters.
 */
export function producedBy(
  subject: { store: string; key: string },
  facts: readonly Fact[],
  ruleNamed: (name: string) => Rule | undefined,
): DerivedBy[] {
  const byRule = new Map<string, DerivedBy>();
  for (const fact of facts) {
    const kind = fact.producer?.kind;
    const name = fact.derivation?.rule;
    if (groupOfProducer(kind) === undefined || typeof name !== 'string' || typeof kind !== 'string') continue;
    const sourceStore = fact.derivation?.sourceStore;
    const entry: DerivedBy = {
      rule: name,
      kind,
      sourceStore: typeof sourceStore === 'string' ? sourceStore : '',
      targetStore: subject.store,
      targetKey: subject.key,
      sourceFilters: filtersOf(ruleNamed(name)),
    };
    // The latest fact of the rule names the source store; the first fixes the order.
    const known = byRule.get(name);
    if (known) known.sourceStore = entry.sourceStore;
    else byRule.set(name, entry);
  }
  return [...byRule.values()];
}

/** The derivations fed by a store, as lineage lists them. */
export function sourcedFrom(derivations: readonly DerivationInfo[]): DerivedBy[] {
  return derivations.map((d) => ({
    rule: d.name,
    kind: 'derivation',
    sourceStore: d.sourceStore,
    targetStore: d.targetStore,
    targetKey: d.targetKey,
    sourceFilters: structuredClone(d.sourceFilters) as JsonObject,
  }));
}

function filtersOf(rule: Rule | undefined): JsonObject {
  const program = rule?.program;
  return program instanceof DerivationProgram ? (structuredClone(program.filters) as JsonObject) : {};
}
