// Child of the SIGKILL test: appends facts with durability 'fsync' and prints each seq once
// writeFact has returned, until it is killed.
import { writeSync } from 'node:fs';
import { FileBackend } from '../../dist/index.js';
import { crashFact } from './crash-fact.mjs';

const backend = new FileBackend(process.argv[2], { durability: 'fsync' });
for (const _ of backend.replay());
let seq = backend.highWaterSeq();
writeSync(1, `ready ${seq}\n`);
for (;;) {
  seq += 1;
  backend.writeFact(crashFact(seq));
  writeSync(1, `${seq}\n`);
}
