// Runs inside a temp project of test:install with @igniter/core, @igniter/backend-file and
// @igniter/protocol (CommonJS). It requires only core: core loads backend-file and protocol
// itself, and must load their CommonJS builds over this same copy of core.
const { join } = require('node:path');
const { IgniterError, IgniterStore } = require('@igniter/core');

async function main() {
  const path = join(process.cwd(), 'data', 'one-core-cjs.log');
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
  const { Interpreter } = require('@igniter/protocol');
  const { FileBackend } = require('@igniter/backend-file');
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
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
