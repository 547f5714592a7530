// A durable file store: facts survive a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';

const dir = mkdtempSync(join(tmpdir(), 'igniter-example-'));
const path = join(dir, 'facts.log');
try {
  const store = openFileStore(path, { durability: 'fsync' });
  store.write({ store: 'notes', key: 'n1', value: { text: 'hello' } });
  await store.close();

  const reopened = openFileStore(path);
  console.log('after reopen:', reopened.read({ store: 'notes', key: 'n1' }), 'facts:', reopened.factCount());
  await reopened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
