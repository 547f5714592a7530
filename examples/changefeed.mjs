// A changefeed subscriber resumes from a seq cursor without gaps or duplicates.
import { Changefeed, IgniterStore } from '@igniter/core';

const changefeed = new Changefeed();
const store = new IgniterStore({ changefeed });
store.write({ store: 'tasks', key: 't1', value: { n: 1 } });
store.write({ store: 'tasks', key: 't2', value: { n: 2 } });

const subscription = changefeed.subscribe({ after: 1 });
store.write({ store: 'tasks', key: 't3', value: { n: 3 } });
let seen = 0;
for await (const event of subscription) {
  console.log(event.kind, event.store, event.key, 'seq', event.seq);
  if (++seen === 2) subscription.close();
}
