// Child of the segmented batch tests: a store on the segmented directory argv[2] with engine
// argv[3] (durability 'none'). Mode argv[4]:
// - 'steps': runs argv[5], a JSON array of writes (an array of inputs is a writeMany, else a
//   write), prints "written" and SIGKILLs itself (no close: the catalog lists no live sizes);
// - 'loop': writeMany batches of argv[5] facts spread over stores s0, s1, s2 (batch b: keys
//   b<b>-<i>, values { b, i, pad }), printing "ack <b>" after each has returned, until killed.
import { IgniterStore } from '@igniter/core';
import { SegmentedFileBackend } from '../../dist/index.js';

const [dir, engine, mode, size] = process.argv.slice(2);
const store = new IgniterStore({ engine, backend: new SegmentedFileBackend(dir, { durability: 'none' }) });
if (mode === 'steps') {
  for (const step of JSON.parse(size)) {
    if (Array.isArray(step)) store.writeMany(step);
    else store.write(step);
  }
  console.log('written');
  process.kill(process.pid, 'SIGKILL');
} else {
  const first = store.lastSeq() / Number(size) + 1;
  const pad = 'x'.repeat(2000);
  console.log('ready');
  for (let b = first; ; b++) {
    const batch = [];
    for (let i = 0; i < Number(size); i++)
      batch.push({ store: `s${i % 3}`, key: `b${b}-${i}`, value: { b, i, pad } });
    store.writeMany(batch);
    console.log(`ack ${b}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
