// Runs inside a temp project of test:install with @igniter/core and @igniter/backend-file (CommonJS):
// writes through openFileStore, reopens through IgniterStore.open (core loads backend-file lazily).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { openFileStore } = require('@igniter/backend-file');
const { IgniterStore } = require('@igniter/core');

async function main() {
  const path = join(process.cwd(), 'data', 'cjs.log');
  const writer = openFileStore(path, { durability: 'fsync' });
  writer.write({ store: 'tasks', key: 't1', value: { title: 'ship', module: 'cjs' } });
  writer.write({ store: 'tasks', key: 't2', value: { title: 'test', module: 'cjs' } });
  await writer.close();

  const reader = IgniterStore.open(path);
  console.log(
    JSON.stringify({
      logExists: existsSync(path),
      engine: reader.engine,
      read: reader.read({ store: 'tasks', key: 't1' }),
      factCount: reader.factCount(),
      backend: reader.storageStats().backend,
    }),
  );
  await reader.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
