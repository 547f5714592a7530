// examples/proof-hash.mjs: the lineage proof hash recomputed by hand; a null causation is written as ''.
import { createHash } from 'node:crypto';
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.write({ store: 'orders', key: 'o1', value: { total: 10 } });
store.write({ store: 'orders', key: 'o1', value: { total: 12 } });

const facts = store.history({ store: 'orders', key: 'o1' });
const text = facts.map((f) => `${f.id}:${f.valueHash}:${f.causation ?? ''}`).join('|');
const byHand = createHash('sha256').update(text).digest('hex');
console.log(
  'causations:',
  facts.map((f) => (f.causation === facts[0].id ? 'the first fact' : f.causation)),
);
console.log('first entry ends with ":":', text.split('|')[0].endsWith(':'));
console.log('proof hash matches:', byHand === store.lineage({ store: 'orders', key: 'o1' }).proofHash);
