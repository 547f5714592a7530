// Bitemporal reads: what did we know at `asOf` about how things stood at `validAt`?
import { IgniterStore } from '@igniter/core';

const day = 86_400_000;
const jan1 = Date.UTC(2026, 0, 1);
let now = jan1;
const store = new IgniterStore({ clock: () => now });

store.write({ store: 'prices', key: 'widget', value: { price: 10 }, validTime: jan1 });
now = jan1 + 10 * day;
// On Jan 11 we learn that the price had changed on Jan 5.
store.write({ store: 'prices', key: 'widget', value: { price: 12 }, validTime: jan1 + 4 * day });

const jan7 = jan1 + 6 * day;
console.log('price on Jan 7, as known today:', store.read({ store: 'prices', key: 'widget', validAt: jan7 }));
console.log(
  'price on Jan 7, as known on Jan 8:',
  store.read({ store: 'prices', key: 'widget', validAt: jan7, asOf: jan1 + 7 * day }),
);
console.log(
  'history by valid time:',
  store.history({ store: 'prices', key: 'widget', validAt: now }).map((f) => f.value.price),
);
