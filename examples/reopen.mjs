// examples/reopen.mjs: paths, coercions, rules and retention are code, registered again on every open;
// protocol descriptors are stored in the log and re-applied when the store opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';

/** Everything this application registers: call it after every open. */
function registerSchema(store) {
  store.registerPath({ store: 'tasks', scope: 'open', filters: { status: 'open' } });
  store.registerCoercion('tasks', (value) => ({ ...value, title: value.title.toUpperCase() }));
  store.setRetention('tasks', { strategy: 'ephemeral' });
  return store;
}

const dir = mkdtempSync(join(tmpdir(), 'igniter-reopen-'));
const path = join(dir, 'app.log');
try {
  const first = registerSchema(IgniterStore.open(path));
  first.registerDescriptor({
    kind: 'access_path',
    name: 'mine',
    store: 'tasks',
    fields: [],
    filters: { owner: 'ada' },
  });
  first.write({ store: 'tasks', key: 't1', value: { title: 'ship', status: 'open', owner: 'ada' } });
  await first.close();

  const second = IgniterStore.open(path);
  try {
    second.query({ store: 'tasks', scope: 'open' });
  } catch (error) {
    console.log('before registering:', error.code, '| retention:', second.retentionFor('tasks'));
  }
  console.log('raw value:', second.read({ store: 'tasks', key: 't1' }));
  console.log(
    'descriptor path:',
    second.query({ store: 'tasks', scope: 'mine' }).map((f) => f.key),
  );
  registerSchema(second);
  console.log(
    'after registering:',
    second.query({ store: 'tasks', scope: 'open' }).map((f) => f.value.title),
  );
  await second.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
