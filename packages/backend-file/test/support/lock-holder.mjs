// Child of the lock tests: opens a log, says "locked", and closes it when stdin says "close".
import { writeSync } from 'node:fs';
import { FileBackend } from '../../dist/index.js';

let backend;
try {
  backend = new FileBackend(process.argv[2]);
} catch (error) {
  writeSync(1, `error ${error.code}\n`);
  process.exit(0);
}
writeSync(1, 'locked\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (text) => {
  if (!text.includes('close')) return;
  await backend.close();
  writeSync(1, 'closed\n');
  process.exit(0);
});
