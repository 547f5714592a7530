// Runs inside a temp project of test:install that installed @igniter/core (alone): an in-memory store.
// Prints what it saw as one JSON line; the test compares it exactly.
import { engineInfo, IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.write({ store: 'tasks', key: 't1', value: { title: 'pack', done: false } });
const latest = store.write({ store: 'tasks', key: 't1', value: { title: 'pack', done: true } });
console.log(
  JSON.stringify({
    engineInfo: engineInfo().kind,
    storeEngine: store.engine,
    read: store.read({ store: 'tasks', key: 't1' }),
    seqs: store.history({ store: 'tasks', key: 't1' }).map((fact) => fact.seq),
    valueHash: latest.valueHash,
  }),
);
await store.close();
