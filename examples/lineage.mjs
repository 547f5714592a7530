// Lineage: the causation chain of a key and a proof hash over it.
import { createHash } from 'node:crypto';
import { IgniterStore } from '@igniter/core';

const store = new IgniterStore();
store.write({ store: 'docs', key: 'd1', value: { text: 'draft' } });
store.write({ store: 'docs', key: 'd1', value: { text: 'final' } });

const lineage = store.lineage({ store: 'docs', key: 'd1' });
console.log('depth:', lineage.depth);
console.log('each fact follows the previous one:', lineage.chain[1].causation === lineage.chain[0].id);
const recomputed = createHash('sha256')
  .update(lineage.chain.map((e) => `${e.id}:${e.valueHash}:${e.causation ?? ''}`).join('|'))
  .digest('hex');
console.log('proof hash verifies:', recomputed === lineage.proofHash);
