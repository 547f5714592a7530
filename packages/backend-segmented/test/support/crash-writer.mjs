// Child of the SIGKILL test: appends facts with durability argv[3] ('fsync' or 'group') to small,
// fast-rotating segments, checkpointing now and then, and prints each seq once writeFact has
// returned.
import { writeSync } from 'node:fs';
import { SegmentedFileBackend } from '../../dist/index.js';
import { crashFact } from './crash-fact.mjs';

const backend = new SegmentedFileBackend(process.argv[2], {
  durability: process.argv[3],
  maxSegmentBytes: 2048,
  segmentDurationMs: 400,
});
for (const _ of backend.replay());
let seq = backend.highWaterSeq();
writeSync(1, `ready ${seq}\n`);
for (;;) {
  seq += 1;
  backend.writeFact(crashFact(seq));
  writeSync(1, `${seq}\n`);
  if (seq % 25 === 0) {
    const all = Array.from({ length: seq }, (_, i) => crashFact(i + 1));
    backend.writeSnapshot(all, { lastSeq: seq });
  }
}
