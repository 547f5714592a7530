// Child of the SIGKILL tests: appends facts with the durability given (default 'fsync') and,
// once each writeFact has returned, prints its seq and the highest seq known durable, until it
// is killed.
import { writeSync } from 'node:fs';
import { FileBackend } from '../../dist/index.js';
import { crashFact } from './crash-fact.mjs';

const backend = new FileBackend(process.argv[2], {
  durability: process.argv[3] ?? 'fsync',
  groupCommitMs: 2,
});
for (const _ of backend.replay());
let seq = backend.highWaterSeq();
writeSync(1, `ready ${seq}\n`);
for (;;) {
  seq += 1;
  backend.writeFact(crashFact(seq));
  writeSync(1, `${seq} ${backend.durabilityStatus().durableSeq}\n`);
}
