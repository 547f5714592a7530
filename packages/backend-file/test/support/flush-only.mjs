// Child of the native flush tests: writes to a native-engine store whose group-commit window
// is a minute, so that only a flush makes the facts durable, then awaits nothing but that
// flush (no timer, no socket) and prints "durable <seq> <syncs>". A process whose only pending
// work is the flush must stay alive until it resolves.
import { IgniterStore } from '@igniter/core';
import { FileBackend } from '../../dist/index.js';

const backend = new FileBackend(process.argv[2], { engine: 'native', groupCommitMs: 60_000 });
const store = new IgniterStore({ engine: 'native', backend });
for (let n = 1; n <= 3; n++) store.write({ store: 'load', key: `k${n}`, value: { n } });
await store.flush();
const status = backend.durabilityStatus();
console.log(`durable ${status.durableSeq} ${status.syncs}`);
