// Child of the file-follower tests: a writer store on the log at argv[2] that writes facts
// k<n> = { n } in batches and prints "ack <seq>" once a flush has made every fact up to seq
// durable, until it is killed.
import { openFileStore } from '../../dist/index.js';

const store = openFileStore(process.argv[2], { durability: 'group', groupCommitMs: 2 });
console.log('writing');
for (let n = 1; ; ) {
  for (let i = 0; i < 50; i++, n++) store.write({ store: 'load', key: `k${n}`, value: { n } });
  await store.flush();
  console.log(`ack ${n - 1}`);
}
