// Scope queries over registered access paths, with consumers told about every change.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.registerPath({
  store: 'tasks',
  scope: 'open',
  filters: { status: 'open' },
  consumers: [(event) => console.log('consumer:', event)],
});

store.write({ store: 'tasks', key: 't2', value: { title: 'Walk dog', status: 'open' } });
store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'open' } });
console.log(
  'open:',
  store.query({ store: 'tasks', scope: 'open' }).map((f) => f.key),
);
store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'done' } });
console.log(
  'open:',
  store.query({ store: 'tasks', scope: 'open' }).map((f) => f.key),
);
store.write({ store: 'tasks', key: 't3', value: { title: 'Read', status: 'someday' } });
