// A follower process for the multi-process tests. Prints "ready", then obeys stdin lines:
// "dump <seq>" waits for seq and prints "log <json [seq, id, valueHash, key][]>";
// "promote" promotes (retrying while the old writer's lock is held), writes 10 facts
// k-new-<i>, flushes and prints "promoted <first seq> <last seq>".
// Usage: node follower-process.mjs <connectionString> <schema>
import { createInterface } from 'node:readline';
import { followPostgresStore } from '../../dist/index.js';

const [url, schema] = process.argv.slice(2);
const store = await followPostgresStore({ connectionString: url, schema, pollMs: 200 });
console.log('ready');

async function promote() {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await store.promote();
      return;
    } catch (error) {
      if (error.code !== 'ERR_LOCKED' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.split(' ');
  if (command === 'dump') {
    await store.waitForSeq(Number(arg), { timeoutMs: 20_000 });
    const log = store.factLogAll().map((f) => [f.seq, f.id, f.valueHash, f.key]);
    console.log(`log ${JSON.stringify(log)}`);
  } else if (command === 'promote') {
    await promote();
    const facts = [];
    for (let i = 1; i <= 10; i++) facts.push(store.write({ store: 'load', key: `k-new-${i}`, value: { i } }));
    await store.flush();
    console.log(`promoted ${facts[0].seq} ${facts.at(-1).seq}`);
  } else if (command === 'exit') {
    await store.close();
    process.exit(0);
  }
}
