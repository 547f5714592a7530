// examples/strict-inputs.mjs: a field a call does not know, or a time that is not whole ms, is refused.
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
function attempt(call) {
  try {
    call();
    return 'accepted';
  } catch (error) {
    return `${error.code} ${JSON.stringify(error.details ?? {})} ${error.message}`;
  }
}

console.log(attempt(() => store.write({ store: 'tasks', key: 't1', value: 1, validtime: 5 })));
console.log(attempt(() => store.write({ store: 'tasks', key: 't1', value: 1, validTime: 1.5 })));
console.log(attempt(() => store.read({ store: 'tasks', key: 't1', asOf: new Date('not a date') })));
console.log(attempt(() => new IgniterStore({ engin: 'ts' })));
console.log(
  attempt(() => store.write({ store: 'tasks', key: 't1', value: 1, validTime: Date.UTC(2026, 0, 1) })),
);
console.log('facts written:', store.factCount());
