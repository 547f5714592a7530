// A writer process for the multi-process tests: writes facts k<n> = { n } in batches and
// prints "ack <seq>" once a flush has acknowledged every fact up to seq. Runs until killed.
// Usage: node writer-process.mjs <connectionString> <schema>
import { openPostgresStore } from '../../dist/index.js';

const [url, schema] = process.argv.slice(2);
let store;
try {
  store = await openPostgresStore({ connectionString: url, schema });
} catch (error) {
  console.log(`refused ${error.code}`);
  process.exit(0);
}
console.log('writing');
for (let n = 1; ; ) {
  for (let i = 0; i < 50; i++, n++) store.write({ store: 'load', key: `k${n}`, value: { n } });
  await store.flush();
  console.log(`ack ${n - 1}`);
}
