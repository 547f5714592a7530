// Derived data you can rebuild: named rules, their status, poison facts and rebuilds.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore({ onRuleError: () => {} });
let rate = 1; // the rule's "code": changed below, then the target is rebuilt
store.registerScatter({
  name: 'spend-by-customer',
  sourceStore: 'orders',
  partitionBy: 'customer',
  targetStore: 'spend',
  onError: 'skip', // a failing order goes to __dead_letters once; the rule goes on
  rule: (_customer, existing, fact) => {
    if (typeof fact.value.amount !== 'number') throw new Error('amount is not a number');
    return { total: (existing?.total ?? 0) + fact.value.amount * rate };
  },
});

store.write({ store: 'orders', key: 'o1', value: { customer: 'ada', amount: 30 } });
store.write({ store: 'orders', key: 'o2', value: { customer: 'ada', amount: 'twelve' } });
store.write({ store: 'orders', key: 'o3', value: { customer: 'bob', amount: 5 } });
console.log('spend of ada:', store.read({ store: 'spend', key: 'ada' }));
const [letter] = store.history({ store: '__dead_letters' });
console.log('dead letter:', letter.value.key, letter.value.error.message);
const { name, state, written, failures, lag } = store.ruleStatus()[0];
console.log('status:', { name, state, written, failures, lag });

// A fix to the rule (amounts are in tens), then the target is rebuilt from the orders.
rate = 10;
const result = await store.rebuild('spend-by-customer');
console.log('rebuilt:', result);
console.log('spend of ada:', store.read({ store: 'spend', key: 'ada' }));
console.log('dead letters:', store.history({ store: '__dead_letters' }).length);

// A rule registered late can see the past: backfill runs it over the current latest facts.
store.registerDerivation({
  name: 'customer-count',
  sourceStore: 'orders',
  targetStore: 'reports',
  targetKey: 'customers',
  backfill: true,
  rule: (facts) => new Set(facts.map((f) => f.value.customer)).size,
});
console.log('customers:', store.read({ store: 'reports', key: 'customers' }));
const fact = store.history({ store: 'spend', key: 'ada' }).at(-1);
const lineage = store.lineage({ store: 'spend', key: 'ada' });
console.log(
  'ada derived by:',
  lineage.derivedBy.map((d) => d.rule),
);
console.log('from', fact.derivation.sourceStore, fact.derivation.sourceKey, 'origin', fact.derivation.origin);
