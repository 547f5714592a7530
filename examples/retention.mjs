// Retention, compaction with receipts, and exact prune.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.setRetention('sensors', { strategy: 'ephemeral' });
for (let v = 1; v <= 5; v++) store.write({ store: 'sensors', key: 'temp', value: { celsius: 20 + v } });
const [result] = store.compact();
console.log('compaction:', { droppedCount: result.droppedCount, keptCount: result.keptCount });
console.log('receipt:', store.compactionReceipts()[0].value.compactedCount, 'facts dropped');
console.log('still readable:', store.read({ store: 'sensors', key: 'temp' }));

const secret = store.write({ store: 'users', key: 'u1', value: { email: 'ada@example.com' } });
const pruned = store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
console.log('pruned:', pruned.prunedCount, 'gone:', store.factById(secret.id) === undefined);
console.log(
  'activity:',
  store.compactionActivity().map((e) => e.kind),
);
