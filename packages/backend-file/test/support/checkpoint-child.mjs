// Child of the checkpoint crash tests: writes facts (durability 'fsync', so each is on disk once
// write returns) around two checkpoints and kills itself with SIGKILL at the point argv[4]
// names, during the second: 'copy' (the snapshot temp file half written), 'synced' (the temp
// file complete and fsynced, not renamed), 'renamed' (the snapshot in place, the old log not yet
// replaced), 'wal' (the new log complete, not renamed), or 'none' (no kill). Prints
// "acked <seq>" once every fact up to seq is written (and so on disk) and "checkpointed" when
// the second checkpoint resolves. The kill points are never inside a write.
// Fact i (seq i) is { store: 's', key: `k${i % 40}`, value: { i } }.
import { writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { openFileStore } from '../../dist/index.js';

const [path, engine, phase] = process.argv.slice(2);
const fs = createRequire(import.meta.url)('node:fs');
const die = () => process.kill(process.pid, 'SIGKILL');
let i = 0;
const store = openFileStore(path, { engine, durability: 'fsync' });
const acked = () => writeSync(1, `acked ${i}\n`);
const write = (n) => {
  for (let end = i + n; i < end; ) {
    i += 1;
    store.write({ store: 's', key: `k${i % 40}`, value: { i } });
  }
};

write(300);
store.checkpoint();
await store.flush(); // an old snapshot for the second checkpoint to copy from
write(300);
acked();

// Arm the kill point: only the checkpoint copy uses FileHandles; rewrites rename with renameSync.
const probe = await open(path, 'r');
const handle = Object.getPrototypeOf(probe);
await probe.close();
if (phase === 'copy') {
  const original = handle.write;
  let writes = 0;
  // The header, then the old snapshot's frames, then (third) the log's.
  handle.write = function (...args) {
    writes += 1;
    if (writes === 3) die();
    return original.apply(this, args);
  };
} else if (phase === 'synced') {
  const original = handle.sync;
  handle.sync = async function () {
    await original.call(this);
    die();
  };
} else if (phase === 'renamed' || phase === 'wal') {
  const original = fs.renameSync;
  fs.renameSync = (from, to) => {
    if (phase === 'wal' && to === path) die();
    original(from, to);
    if (phase === 'renamed' && to === `${path}.snapshot`) die();
  };
  syncBuiltinESMExports();
}

store.checkpoint();
const running = store.flush();
// Writes go on while the checkpoint runs; each batch is acknowledged once it is on disk.
const writer = setInterval(() => {
  write(10);
  acked();
}, 0);
await running;
clearInterval(writer);
writeSync(1, 'checkpointed\n');
write(10);
acked();
await store.close();
