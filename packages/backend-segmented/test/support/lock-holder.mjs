// Child of the lock test: opens the directory, prints "locked", and waits to be killed.
import { writeSync } from 'node:fs';
import { SegmentedFileBackend } from '../../dist/index.js';

new SegmentedFileBackend(process.argv[2]);
writeSync(1, 'locked\n');
setInterval(() => undefined, 60_000);
