// Child of the partial-batch fault test, run under a file-size limit (`ulimit -f`, with SIGXFSZ
// ignored, so that a write past the limit fails with EFBIG instead of killing the process).
// A store (engine argv[3], durability 'fsync') on the segmented directory argv[2]: argv[4]
// facts of ~1 KiB written one by one to store "big", then a writeMany of two facts to "s0", two
// to "s1" and argv[5] to "big" (parts in that order), then a write and a writeMany, then close.
// Prints one JSON line per step: the limit, each acknowledged fact, each step's result or error.
import { readFileSync } from 'node:fs';
import { IgniterError, IgniterStore } from '@igniter/core';
import { SegmentedFileBackend } from '../../dist/index.js';

const [dir, engine, prefill, bigPart] = process.argv.slice(2);
const print = (line) => console.log(JSON.stringify(line));
const described = (error) => ({
  igniterError: error instanceof IgniterError,
  code: error.code,
  syscall: error.syscall,
  message: error.message,
});
const attempt = (step, run) => {
  try {
    print({ step, result: run() });
  } catch (error) {
    print({ step, error: described(error) });
  }
};

const limit = /^Max file size\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
print({ limit: Number(limit) });
const pad = 'x'.repeat(1000);
const store = new IgniterStore({ engine, backend: new SegmentedFileBackend(dir, { durability: 'fsync' }) });
for (let i = 0; i < Number(prefill); i++) {
  const fact = store.write({ store: 'big', key: `k${i}`, value: { i, pad } });
  print({ ack: fact.seq, id: fact.id });
}
const batch = [
  { store: 's0', key: 'a', value: { pad } },
  { store: 's0', key: 'b', value: { pad } },
  { store: 's1', key: 'a', value: { pad } },
  { store: 's1', key: 'b', value: { pad } },
];
for (let i = 0; i < Number(bigPart); i++) batch.push({ store: 'big', key: `batch${i}`, value: { i, pad } });
attempt('batch', () => store.writeMany(batch).length);
attempt('write', () => store.write({ store: 's0', key: 'later', value: 1 }).seq);
attempt('writeMany', () => store.writeMany(batch.slice(0, 2)).length);
print({ lastSeq: store.lastSeq(), factCount: store.factCount() });
await store.close().then(
  () => print({ closed: 'ok' }),
  (error) => print({ closed: described(error) }),
);
