// The everyday reads: the latest fact with its seq, keys and stores, and queries without registration.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'open' } });
store.write({ store: 'tasks', key: 't2', value: { title: 'Walk dog', status: 'open' } });
store.write({ store: 'tasks', key: 't3', value: { title: 'Read a book', status: 'done' } });

// Read the latest fact, decide, then write only if nobody wrote the key in between.
const fact = store.readFact({ store: 'tasks', key: 't1' });
store.write({
  store: 'tasks',
  key: 't1',
  value: { ...fact.value, status: 'done' },
  expect: { seq: fact.seq },
});
console.log('t1 was seq', fact.seq, 'and is now', store.read({ store: 'tasks', key: 't1' }));

console.log(
  'open tasks:',
  store.query({ store: 'tasks', where: { status: 'open' } }).map((f) => f.key),
);
const page = store.query({ store: 'tasks', limit: 2 });
const next = store.query({ store: 'tasks', after: page.at(-1).key, limit: 2 });
console.log(
  'pages of two:',
  page.map((f) => f.key),
  next.map((f) => f.key),
);
console.log('keys after t1:', store.keys({ store: 'tasks', after: 't1' }));
console.log('stores:', store.stores(), 'last seq:', store.lastSeq());
