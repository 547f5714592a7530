// Runs inside a temp project of test:install with @igniter/core and @igniter/protocol: envelopes
// through dispatch, and the interpreter core loads lazily through store.protocol().
import { IgniterStore } from '@igniter/core';
import { dispatch } from '@igniter/protocol';

const store = new IgniterStore();
const envelope = (op, packet) => ({ protocol: 'igniter_store', schema_version: 1, op, packet });

const registered = store.protocol().register({ kind: 'store', name: 'tasks', key: 'id' });
const written = await dispatch(
  store,
  envelope('write', { store: 'tasks', key: 't1', value: { title: 'ship' } }),
);
const read = await dispatch(store, envelope('read', { store: 'tasks', key: 't1' }));
const unknown = await dispatch(store, envelope('no_such_op', {}));
console.log(
  JSON.stringify({
    engine: store.engine,
    registered: registered.status,
    write: [written.status, written.result.status],
    read: [read.status, read.result],
    unknown: [unknown.status, unknown.error_code],
  }),
);
await store.close();
