// Derivations, scatters and relations: derived facts carry provenance.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.registerDerivation({
  sourceStore: 'orders',
  sourceFilters: { status: 'paid' },
  targetStore: 'reports',
  targetKey: 'revenue',
  rule: (facts) => ({ paidOrders: facts.length, total: facts.reduce((sum, f) => sum + f.value.amount, 0) }),
});
store.registerRelation('customer_orders', { source: 'orders', partition: 'customer', target: 'customers' });

store.write({ store: 'orders', key: 'o1', value: { customer: 'ada', amount: 30, status: 'paid' } });
store.write({ store: 'orders', key: 'o2', value: { customer: 'ada', amount: 12, status: 'open' } });
store.write({ store: 'orders', key: 'o3', value: { customer: 'bob', amount: 5, status: 'paid' } });

console.log('revenue:', store.read({ store: 'reports', key: 'revenue' }));
console.log('orders of ada:', store.resolve('customer_orders', { from: 'ada' }));
store.write({ store: 'orders', key: 'o2', value: { customer: 'bob', amount: 12, status: 'paid' } });
console.log('orders of ada after o2 moved to bob:', store.resolve('customer_orders', { from: 'ada' }));
const [latest] = store.history({ store: 'reports', key: 'revenue' }).slice(-1);
console.log(
  'revenue:',
  latest.value,
  'derived from',
  latest.derivation.sourceStore,
  latest.derivation.sourceKey,
);
