// Child of the open image crash test: opens the log at argv[2] with the engine argv[3]
// (openImageFacts 100), prints what the open did with the image
// ("open <checkpointImage> <openImage> <imageLogEnd> <log size>"), then writes batches of 20
// facts, flushing each ("acked <seq>"), and kills itself with SIGKILL right after handing one
// more batch to the writer, unflushed. Fact i is { store: `s${i % 3}`, key: `k${i % 40}`, value: { i } }.
import { statSync, writeSync } from 'node:fs';
import { IgniterStore } from '@igniter/core';
import { FileBackend } from '../../dist/index.js';

const [path, engine, from, batches] = process.argv.slice(2);
const backend = new FileBackend(path, { engine, durability: 'group', groupCommitMs: 2, openImageFacts: 100 });
const store = new IgniterStore({ engine, backend });
const report = backend.recoveryReport();
writeSync(
  1,
  `open ${report.checkpointImage} ${report.openImage} ${report.imageLogEnd} ${statSync(path).size}\n`,
);
let i = Number(from);
const write = () => {
  const inputs = [];
  for (let end = i + 20; i < end; ) {
    i += 1;
    inputs.push({ store: `s${i % 3}`, key: `k${i % 40}`, value: { i } });
  }
  store.writeMany(inputs);
};
for (let n = 0; n < Number(batches); n++) {
  write();
  await store.flush();
  writeSync(1, `acked ${i}\n`);
}
write();
process.kill(process.pid, 'SIGKILL');
