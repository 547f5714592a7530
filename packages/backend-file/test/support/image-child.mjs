// Child of the checkpoint image crash tests: writes facts, flushes them (durability 'fsync': on
// disk when flush resolves), prints "acked <seq>", then checkpoints and kills itself with SIGKILL
// at the point argv[4] names: 'snapshot' (the new snapshot just renamed into place, the image
// still being written or not yet sealed) or 'image' (the image written and sealed, not renamed).
// Fact i is { store: 's', key: `k${i % 40}`, value: { i } }.
import { writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { openFileStore } from '../../dist/index.js';

const [path, engine, phase] = process.argv.slice(2);
const fs = createRequire(import.meta.url)('node:fs');
const die = () => process.kill(process.pid, 'SIGKILL');
const store = openFileStore(path, { engine, durability: 'fsync' });
let i = 0;
const write = (n) => {
  const inputs = [];
  for (let end = i + n; i < end; ) {
    i += 1;
    inputs.push({ store: 's', key: `k${i % 40}`, value: { i } });
  }
  store.writeMany(inputs);
};
write(5_000);
await store.flush();
writeSync(1, `acked ${i}\n`);
const rename = fs.renameSync;
fs.renameSync = function (from, to, ...rest) {
  if (phase === 'image' && String(to).endsWith('.image')) die();
  rename.call(this, from, to, ...rest);
  if (phase === 'snapshot' && String(to).endsWith('.snapshot')) die();
};
syncBuiltinESMExports();
store.checkpoint();
await store.flush();
writeSync(1, 'checkpointed\n');
await store.close();
