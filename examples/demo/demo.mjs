// `pnpm demo`: a walkthrough of Igniter on a file store, for someone who has not read the code.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { engineInfo, IgniterStore } from '@igniter/core';

// pnpm runs scripts inside the package; INIT_CWD is where the user typed the command.
const dataDir = resolve(process.env.IGNITER_DEMO_DIR ?? join(process.env.INIT_CWD ?? '.', 'demo-data'));
const logPath = join(dataDir, 'demo.log');
const day = 86_400_000;
const quick = process.env.IGNITER_DEMO_QUICK === '1';

let step = 0;
function heading(title) {
  step += 1;
  console.log(`\n== ${step}. ${title}`);
}
function show(label, value) {
  console.log(`   ${label.padEnd(34)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

rmSync(dataDir, { recursive: true, force: true });
console.log('Igniter demo: an append-only, bitemporal fact store');
console.log(`Data lives in ${logPath}; the fact log runs on the ${engineInfo().kind} engine.`);

// A clock we control, so that the story has clear moments in time.
let now = Date.UTC(2026, 0, 1, 9);
const clock = () => now;
const at = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
let store = openFileStore(logPath, { clock, durability: 'group' });

heading('Writes and updates: every write is a new immutable fact');
const created = store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'open' } });
now += 2 * day;
const updated = store.write({ store: 'tasks', key: 't1', value: { title: 'Buy milk', status: 'done' } });
show('first fact', {
  seq: created.seq,
  at: at(created.transactionTime),
  hash: created.valueHash.slice(0, 12),
});
show('second fact', {
  seq: updated.seq,
  at: at(updated.transactionTime),
  hash: updated.valueHash.slice(0, 12),
});
show('second follows the first', updated.causation === created.id ? 'yes (causation link)' : 'no');
show('current value', store.read({ store: 'tasks', key: 't1' }));

heading('Time travel: read the store as it was');
show(
  `t1 as of ${at(created.transactionTime)}`,
  store.timeTravel({ store: 'tasks', key: 't1', at: created.transactionTime }),
);

heading('Bitemporal read: what we knew then about how things stood');
const jan1 = Date.UTC(2026, 0, 1);
store.write({ store: 'prices', key: 'widget', value: { price: 10 }, validTime: jan1 });
now += 8 * day;
// Today we learn that the price had changed on Jan 5.
store.write({ store: 'prices', key: 'widget', value: { price: 12 }, validTime: jan1 + 4 * day });
show(
  'price on Jan 7, as known today',
  store.read({ store: 'prices', key: 'widget', validAt: jan1 + 6 * day }),
);
show(
  'price on Jan 7, as known on Jan 8',
  store.read({ store: 'prices', key: 'widget', validAt: jan1 + 6 * day, asOf: jan1 + 7 * day }),
);

heading('History of a key');
for (const fact of store.history({ store: 'tasks', key: 't1' })) {
  show(`seq ${fact.seq} at ${at(fact.transactionTime)}`, fact.value);
}

heading('Scope query with a consumer');
store.registerPath({
  store: 'tasks',
  scope: 'open',
  filters: { status: 'open' },
  consumers: [(event) => show('consumer fired', event)],
});
store.write({ store: 'tasks', key: 't2', value: { title: 'Walk dog', status: 'open' } });
store.write({ store: 'tasks', key: 't3', value: { title: 'Read a book', status: 'open' } });
show(
  'open tasks',
  store.query({ store: 'tasks', scope: 'open' }).map((f) => `${f.key}: ${f.value.title}`),
);

heading('A derivation and a relation, with provenance');
store.registerDerivation({
  sourceStore: 'orders',
  sourceFilters: { status: 'paid' },
  targetStore: 'reports',
  targetKey: 'revenue',
  rule: (facts) => ({ paidOrders: facts.length, total: facts.reduce((sum, f) => sum + f.value.amount, 0) }),
});
store.registerRelation('customer_orders', { source: 'orders', partition: 'customer', target: 'customers' });
store.write({ store: 'orders', key: 'o1', value: { customer: 'ada', amount: 30, status: 'paid' } });
store.write({ store: 'orders', key: 'o2', value: { customer: 'ada', amount: 12, status: 'paid' } });
store.write({ store: 'orders', key: 'o3', value: { customer: 'bob', amount: 5, status: 'open' } });
const revenue = store.history({ store: 'reports', key: 'revenue' }).at(-1);
show('derived revenue', revenue.value);
show(
  'derived from',
  `${revenue.derivation.sourceStore}/${revenue.derivation.sourceKey} (rule ${revenue.derivation.rule})`,
);
show(
  'orders of ada (relation)',
  store.resolve('customer_orders', { from: 'ada' }).map((v) => v.amount),
);

heading('Lineage with its proof hash');
const lineage = store.lineage({ store: 'tasks', key: 't1' });
show('chain depth', lineage.depth);
show('proof hash', lineage.proofHash);

heading('Retention: compaction leaves a receipt');
store.setRetention('sensors', { strategy: 'ephemeral' });
for (let i = 1; i <= 5; i++) store.write({ store: 'sensors', key: 'temp', value: { celsius: 18 + i } });
const [compaction] = store.compact();
show('compaction', { dropped: compaction.droppedCount, kept: compaction.keptCount });
const receipt = store.compactionReceipts()[0];
show('receipt', {
  store: receipt.store,
  compactedCount: receipt.value.compactedCount,
  strategy: receipt.value.strategy,
});

heading('Reopen: everything survived');
const before = { facts: store.factCount(), t1: store.read({ store: 'tasks', key: 't1' }) };
await store.close();
store = openFileStore(logPath, { clock });
show('facts before and after', `${before.facts} -> ${store.factCount()}`);
show('t1 after reopen', store.read({ store: 'tasks', key: 't1' }));
show(
  'sensor history after reopen',
  store.history({ store: 'sensors', key: 'temp' }).map((f) => f.value.celsius),
);
show('compaction receipts after reopen', store.compactionReceipts().length);
const stats = store.storageStats();
show(
  'on disk',
  `${stats.byteSize.toLocaleString('en-US')} bytes in ${Object.keys(stats.stores).length} stores`,
);
await store.close();

heading('Throughput: in-memory writes on both engines');
const count = quick ? 20_000 : 200_000;
for (const engine of ['ts', 'native']) {
  let memory;
  try {
    memory = new IgniterStore({ engine });
  } catch (error) {
    show(`${engine} engine`, `unavailable (${error.code})`);
    continue;
  }
  const started = process.hrtime.bigint();
  const chunk = count / 20;
  for (let done = 0; done < count; done += chunk) {
    for (let i = done; i < done + chunk; i++) {
      memory.write({ store: 'bench', key: `k${i % 10_000}`, value: { n: i, label: 'throughput', ok: true } });
    }
    progress(engine, (done + chunk) / count);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  finishProgress();
  show(
    `${engine} engine`,
    `${Math.round(count / seconds).toLocaleString('en-US')} writes/s (${count.toLocaleString('en-US')} facts)`,
  );
}
console.log(`\nDone. The log is in ${logPath}; run again to start fresh.`);

function progress(label, fraction) {
  if (!process.stdout.isTTY) return;
  const width = 30;
  const filled = Math.round(fraction * width);
  process.stdout.write(
    `\r   ${label.padEnd(7)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}%`,
  );
}
function finishProgress() {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[2K');
}
