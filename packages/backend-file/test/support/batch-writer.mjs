// Child of the batch crash tests: a store on the log at argv[2] with engine argv[3] that writes
// `writeMany` batches of argv[4] facts (batch b: keys b<b>-<i>, values { b, i, pad }) and
// prints "ack <b>" after each batch has returned, until it is killed. The values are large so
// that a batch's write takes long enough for kills to land inside it.
import { openFileStore } from '../../dist/index.js';

const [path, engine, size] = process.argv.slice(2);
const store = openFileStore(path, { engine, durability: 'none' });
const first = store.lastSeq() / Number(size) + 1;
const pad = 'x'.repeat(2000);
console.log('ready');
for (let b = first; ; b++) {
  const batch = [];
  for (let i = 0; i < Number(size); i++)
    batch.push({ store: 'batch', key: `b${b}-${i}`, value: { b, i, pad } });
  store.writeMany(batch);
  console.log(`ack ${b}`);
  await new Promise((resolve) => setImmediate(resolve));
}
