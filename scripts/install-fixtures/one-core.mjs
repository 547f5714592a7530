// Runs inside a temp project of test:install with @igniter/core, @igniter/backend-file and
// @igniter/protocol (ESM). It imports only core: core loads backend-file and protocol itself, and
// must load their ESM builds over this same copy of core, so instanceof holds for what they throw.
import { join } from 'node:path';
import { IgniterError, IgniterStore } from '@igniter/core';

const path = join(process.cwd(), 'data', 'one-core-esm.log');
const first = IgniterStore.open(path);
let locked;
try {
  IgniterStore.open(path);
} catch (error) {
  locked = [error.code, error instanceof IgniterError];
}
const interpreter = first.protocol();
let badCursor;
try {
  interpreter.replay({ after: -1 });
} catch (error) {
  badCursor = [error.code, error instanceof IgniterError];
}
const { Interpreter } = await import('@igniter/protocol');
const { FileBackend } = await import('@igniter/backend-file');
let viaBackend;
try {
  new FileBackend(path);
} catch (error) {
  viaBackend = [error.code, error instanceof IgniterError];
}
console.log(
  JSON.stringify({
    locked,
    badCursor,
    viaBackend,
    interpreter: interpreter instanceof Interpreter,
  }),
);
await first.close();
