// Facts, current reads, time travel and history on an in-memory store.
import { IgniterStore } from '@igniter/core';

let now = Date.UTC(2026, 0, 1);
const store = new IgniterStore({ clock: () => now });

const created = store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'open' } });
now += 60_000;
const done = store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'done' } });

console.log('current:', store.read({ store: 'tasks', key: 't1' }));
console.log(
  'as of the first write:',
  store.timeTravel({ store: 'tasks', key: 't1', at: created.transactionTime }),
);
console.log('the update follows the first fact:', done.causation === created.id);
for (const fact of store.history({ store: 'tasks', key: 't1' })) {
  console.log(
    `seq ${fact.seq} at ${new Date(fact.transactionTime).toISOString()}:`,
    fact.value,
    fact.valueHash.slice(0, 12),
  );
}
