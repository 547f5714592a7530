// Optimistic concurrency (expect) and idempotent retries (idempotencyKey).
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
const first = store.write({ store: 'accounts', key: 'a1', value: { balance: 10 }, expect: { absent: true } });
try {
  store.write({ store: 'accounts', key: 'a1', value: { balance: 99 }, expect: { absent: true } });
} catch (error) {
  console.log(error.code, error.details);
}
store.write({ store: 'accounts', key: 'a1', value: { balance: 15 }, expect: { seq: first.seq } });

const paid = store.append({ history: 'payments', event: { amount: 5 }, idempotencyKey: 'req-42' });
const retry = store.append({ history: 'payments', event: { amount: 5 }, idempotencyKey: 'req-42' });
console.log(
  'retry returned the original fact:',
  retry.id === paid.id,
  'payments:',
  store.history({ store: 'payments' }).length,
);
